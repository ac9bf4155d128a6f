"""Node status for the network page: the one ``FabricNetwork`` of the process, asked at most once a second.

The nodes come from the network object the app was built with, whose topology follows network.json,
so a peer that a storyboard onboarded is listed as soon as it has joined (a change of members also
ends the one-second cache).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict
from typing import Any, Protocol

from fabdemo.network.state import NodeStatus
from fabdemo.network.topology import Topology
from fabdemo.service.orgs import OrgDirectory

STATUS_CACHE = 1.0


class NodeSource(Protocol):
    """What the view needs of the network (``FabricNetwork`` has both)."""

    @property
    def topology(self) -> Topology: ...
    def status(self) -> list[NodeStatus]: ...


class FollowerStatus(Protocol):
    def status(self) -> dict[str, Any]: ...


class NetworkStatusView:
    def __init__(
        self, network: NodeSource, orgs: OrgDirectory, follower: FollowerStatus, cache_seconds: float = STATUS_CACHE
    ) -> None:
        self._network = network
        self._orgs = orgs
        self._follower = follower
        self._cache_seconds = cache_seconds
        self._cache: tuple[float, Topology, dict[str, Any]] | None = None

    async def network_status(self) -> dict[str, Any]:
        """Nodes (health, pids, heights, Raft leader), orgs and roles, and the block follower."""
        now = time.monotonic()
        topo = self._network.topology
        if self._cache and now - self._cache[0] < self._cache_seconds and self._cache[1] is topo:
            return self._cache[2]
        nodes: list[dict[str, Any]] = []
        error = None
        try:
            nodes = [asdict(s) for s in await asyncio.to_thread(self._network.status)]
        except Exception as err:  # status is best effort: the page still shows the topology
            error = str(err)
        data = {
            "channel": topo.channel_name,
            "chaincode": topo.chaincode.name,
            "ordererOrg": {
                "key": topo.orderer_org.key,
                "msp": topo.orderer_org.msp_id,
                "name": topo.orderer_org.name,
                "name_zh": topo.orderer_org.name_zh,
            },
            "orgs": self._orgs.orgs(),
            "nodes": nodes,
            "follower": self._follower.status(),
            "error": error,
        }
        self._cache = (now, topo, data)
        return data

    def invalidate(self) -> None:
        """Forget the cached answer (the network was reset or reshaped)."""
        self._cache = None
