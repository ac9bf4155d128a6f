# Generated from app/fabric_gateway/_async/__init__.py by `python scripts/unasync.py` (`make fmt`): do not edit.
# Change the asyncio source and regenerate; `python scripts/unasync.py --check` (`make lint`) checks it.
"""The client's classes that do I/O. ``scripts/unasync.py`` says which package is the hand-written asyncio
source and which one is generated from it, for blocking code; what both share is in ``fabric_gateway._common``.
"""
