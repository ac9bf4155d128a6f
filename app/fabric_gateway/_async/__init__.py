"""The client's classes that do I/O. ``scripts/unasync.py`` says which package is the hand-written asyncio
source and which one is generated from it, for blocking code; what both share is in ``fabric_gateway._common``.
"""
