"""Gateway connections: :func:`connect` (blocking) and :func:`connect_async` (asyncio).

Hand-written in ``_async/gateway.py`` (asyncio), generated into ``_sync/gateway.py`` by ``scripts/unasync.py``.
"""

from fabric_gateway._async.gateway import AsyncGateway, connect_async
from fabric_gateway._sync.gateway import Gateway, connect

__all__ = ["AsyncGateway", "Gateway", "connect", "connect_async"]
