"""The gateway pool: one asyncio gateway connection per org, each signing with that org's own identity.

With CA identities a named user of an org (``make user``, a guest in room mode) gets a connection of
its own, signing with that user's certificate, so the ledger records who acted.

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

    async def gateway(self, org: PeerOrg, user: str | None = None) -> AsyncGateway:
        """The connection of ``org`` acting as ``user`` (default: its app user ``User1``)."""
        key = org.key if not user else f"{org.key}/{user}"
        gateway = self._gateways.get(key)
        if gateway is not None:
            return gateway
        async with self._lock:
            if key not in self._gateways:
                layout = self._network.layout
                if user and not layout.user_msp(org, user).is_dir():
                    raise ServiceError(
                        "UNKNOWN_USER",
                        f"{org.msp_id} has no enrolled user {user!r}: register one first (`make user`)",
                        message_zh=f"{org.msp_id} 没有已登记的用户 {user}：请先登记（make user）",
                        field="user",
                    )
                if not layout.user_msp(org).is_dir():
                    raise ServiceError(
                        "NETWORK_UNAVAILABLE",
                        f"no crypto material for {org.msp_id} under {layout.root}: start the network (`make up`)",
                        message_zh="网络不可用：尚未生成组织证书，请先启动网络（make up）",
                        source="network",
                    )
                self._gateways[key] = await connect_org_async(
                    self._network.topology, layout, org, **({"user": user} if user else {})
                )
            return self._gateways[key]

    async def channel(self, org: PeerOrg, user: str | None = None) -> AsyncNetwork:
        """The channel, as seen through ``org``'s own peer."""
        return (await self.gateway(org, user)).get_network(self._network.topology.channel_name)

    async def contract(self, org: PeerOrg, user: str | None = None, chaincode: str | None = None) -> AsyncContract:
        """The kit's chaincode (or ``chaincode``), called as ``org`` (as its named ``user`` when given)."""
        return (await self.channel(org, user)).get_contract(chaincode or self._network.topology.chaincode.name)

    async def forget(self, org: PeerOrg, user: str) -> None:
        """Close a user's connection (after a re-enrollment its certificate changed)."""
        gateway = self._gateways.pop(f"{org.key}/{user}", None)
        if gateway is not None:
            await gateway.close()

    async def reconnect(self) -> None:
        """Close every connection; the next call opens new ones (after a reset restarted the peers)."""
        await self.close()

    async def close(self) -> None:
        gateways, self._gateways = self._gateways, {}
        for gateway in gateways.values():
            await gateway.close()
