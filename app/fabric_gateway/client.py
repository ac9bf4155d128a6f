"""Thin RPC layer: one stub set per channel, default deadlines, and gRPC errors mapped to typed errors.

:class:`GatewayClient` (blocking) and :class:`AsyncGatewayClient` (asyncio) expose the same methods; request
building, signing and response parsing live in the protocol modules and are used unchanged by both.
Hand-written in ``_async/client.py`` (asyncio), generated into ``_sync/client.py`` by ``scripts/unasync.py``.
"""

from fabric_gateway._async.client import AsyncGatewayClient
from fabric_gateway._common.client import Timeouts
from fabric_gateway._sync.client import GatewayClient

__all__ = ["AsyncGatewayClient", "GatewayClient", "Timeouts"]
