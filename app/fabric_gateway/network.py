"""Networks: a channel as seen through the gateway, giving contracts and event streams.

Hand-written in ``_async/network.py`` (asyncio), generated into ``_sync/network.py`` by ``scripts/unasync.py``.
"""

from fabric_gateway._async.network import AsyncNetwork
from fabric_gateway._sync.network import Network

__all__ = ["AsyncNetwork", "Network"]
