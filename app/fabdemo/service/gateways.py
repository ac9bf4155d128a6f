"""The gateway pool: one asyncio gateway connection per org, each signing with that org's own identity.

Connections open on first use and are shared by every request. After a reset (the peers restarted
from a snapshot) :meth:`GatewayPool.reconnect` drops them, and the next use opens fresh ones.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from fabdemo.connections import connect_org_async
from fabdemo.network.layout import StateLayout
from fabdemo.network.topology import PeerOrg, Topology
from fabdemo.service.errors import ServiceError
from fabric_gateway import AsyncContract, AsyncGateway, AsyncNetwork


class HasLayout(Protocol):
    """What the pool needs of the network (``FabricNetwork`` has both)."""

    @property
    def topology(self) -> Topology: ...
    @property
    def layout(self) -> StateLayout: ...


class GatewayPool:
    def __init__(self, network: HasLayout) -> None:
        self._network = network
        self._gateways: dict[str, AsyncGateway] = {}
        self._lock = asyncio.Lock()

    async def gateway(self, org: PeerOrg) -> AsyncGateway:
        gateway = self._gateways.get(org.key)
        if gateway is not None:
            return gateway
        async with self._lock:
            if org.key not in self._gateways:
                layout = self._network.layout
                if not layout.user_msp(org).is_dir():
                    raise ServiceError(
                        "NETWORK_UNAVAILABLE",
                        f"no crypto material for {org.msp_id} under {layout.root}: start the network (`make up`)",
                        message_zh="网络不可用：尚未生成组织证书，请先启动网络（make up）",
                        source="network",
                    )
                self._gateways[org.key] = await connect_org_async(self._network.topology, layout, org)
            return self._gateways[org.key]

    async def channel(self, org: PeerOrg) -> AsyncNetwork:
        """The channel, as seen through ``org``'s own peer."""
        return (await self.gateway(org)).get_network(self._network.topology.channel_name)

    async def contract(self, org: PeerOrg) -> AsyncContract:
        """The kit's chaincode, called as ``org``."""
        return (await self.channel(org)).get_contract(self._network.topology.chaincode.name)

    async def reconnect(self) -> None:
        """Close every connection; the next call opens new ones (after a reset restarted the peers)."""
        await self.close()

    async def close(self) -> None:
        gateways, self._gateways = self._gateways, {}
        for gateway in gateways.values():
            await gateway.close()
