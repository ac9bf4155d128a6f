"""What the asyncio and the blocking client share: request building, signing and response parsing, no I/O.

The classes here are the bases of the ``Async*`` classes in :mod:`fabric_gateway._async` and of the blocking
ones generated from them into :mod:`fabric_gateway._sync`.
"""
