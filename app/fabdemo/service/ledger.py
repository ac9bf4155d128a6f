"""``LedgerService``: the service layer of one process, composed over its one ``FabricNetwork``.

Every action of the UI, the REST API, the storyboards and the seed data goes through it. It is a small
facade over the parts, each with one job:

    orgs.py        OrgDirectory       the channel's member orgs now (network.json), roles, endorsers
    gateways.py    GatewayPool        one asyncio gateway per org identity; reconnect after a reset
    contracts.py   ContractService    perform / call / query
    retry.py       RetryPolicy        the one retry policy of every submit; unknown outcomes settled by tx id
    readmodels.py  ReadModels         lots, dashboard, lot view, trace, authenticity, documents, prices
    status.py      NetworkStatusView  node status from the network object, cached for a second
    blocks.py      BlockFollower      ledger proofs, live block events and alerts
    lotindex.py    LotIndex           every lot's current record from the blocks' write sets (dashboard)

It never reads settings and never opens a network of its own: the process's composition root
(:func:`fabdemo.context.open_network`) builds the network once and hands it in.
"""

from __future__ import annotations

from typing import Any

from fabdemo.network.manager import FabricNetwork
from fabdemo.network.topology import PeerOrg, Topology
from fabdemo.service.anycontract import AnyContractService
from fabdemo.service.blocks import BlockFollower
from fabdemo.service.contracts import ContractService
from fabdemo.service.gateways import GatewayPool
from fabdemo.service.lotindex import LotIndex
from fabdemo.service.metrics import MetricsSampler
from fabdemo.service.orgs import OrgDirectory
from fabdemo.service.readmodels import ReadModels
from fabdemo.service.retry import RetryPolicy
from fabdemo.service.status import NetworkStatusView
from fabric_gateway import AsyncNetwork


class LedgerService:
    def __init__(
        self, network: FabricNetwork, *, follow_blocks: bool = True, policy: RetryPolicy | None = None
    ) -> None:
        self.network = network
        self.directory = OrgDirectory(network)
        self.gateways = GatewayPool(network)
        # The dashboard's read model, fed by the follower from each block's write sets (lotindex.py).
        self.lot_index = LotIndex(lambda: self.directory.topology.chaincode.name)
        self.follower = BlockFollower(self._follower_channel, projections=[self.lot_index])
        self._follow_blocks = follow_blocks
        self.contracts = ContractService(
            self.directory, self.gateways, self.follower if follow_blocks else None, policy
        )
        self.reads = ReadModels(
            self.contracts, self.directory, self.follower, self.lot_index if follow_blocks else None
        )
        self.status_view = NetworkStatusView(network, self.directory, self.follower)
        self.metrics = MetricsSampler(network)  # the Performance page and GET /api/metrics
        # Any deployed contract, from its metadata (/api/contracts, /contracts/<name>, fabdemo cc-client).
        self.anycontracts = AnyContractService(network, self.contracts)

    # -- lifecycle -----------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._follow_blocks:
            self.follower.start()

    async def close(self) -> None:
        await self.metrics.close()
        await self.follower.stop()
        await self.gateways.close()

    async def __aenter__(self) -> LedgerService:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def ledger_rewound(self) -> None:
        """The network was reset to a snapshot: reconnect and re-read the chain from block 0."""
        await self.gateways.reconnect()
        self.status_view.invalidate()
        if self._follow_blocks:
            await self.follower.restart()

    async def _follower_channel(self) -> AsyncNetwork:
        return await self.gateways.channel(self.directory.topology.peer_orgs[0])

    # -- orgs ----------------------------------------------------------------------------------------
    @property
    def topology(self) -> Topology:
        return self.directory.topology

    def org(self, key_or_msp: str | None) -> PeerOrg:
        return self.directory.org(key_or_msp)

    def orgs(self) -> list[dict[str, Any]]:
        return self.directory.orgs()

    def defaults(self, op_id: str, org_key: str | None, lot: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.directory.defaults(op_id, org_key, lot)

    # -- the one entry point (see ContractService) ---------------------------------------------------
    async def perform(
        self,
        org_key: str | None,
        op_id: str,
        args: dict[str, Any] | None = None,
        *,
        endorsing_orgs: list[str] | None = None,
        user: str | None = None,
    ) -> dict[str, Any]:
        return await self.contracts.perform(org_key, op_id, args, endorsing_orgs=endorsing_orgs, user=user)

    async def call(
        self, org_key: str | None, function: str, arguments: list[Any], *, submit: bool = False
    ) -> dict[str, Any]:
        return await self.contracts.call(org_key, function, arguments, submit=submit)

    async def query(self, org_key: str | None, op_id: str, args: dict[str, Any] | None = None) -> Any:
        return await self.contracts.query(org_key, op_id, args)

    # -- network -------------------------------------------------------------------------------------
    async def network_status(self) -> dict[str, Any]:
        return await self.status_view.network_status()
