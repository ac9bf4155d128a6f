"""Node control and status: the nodes of the network as objects, and the waits that span several.

A :class:`Node` owns one node's spec (command, config, ports) and answers for its start, stop and
health through the runtime. :class:`NodeControl` knows which nodes the network has right now (orderers,
peers of the member orgs, and a chaincode server per org once the contract is deployed), starts them in
the order Fabric likes, reports their status, and waits for cluster-wide conditions (a Raft leader,
equal heights, gossip).

Both ordering services have a leader: Raft elects one, SmartBFT's leader is fixed per view (node 1 in
view 0) and changes by a view change when the others suspect it. Each orderer reports in its metrics
whether it leads, so :meth:`NodeControl.leader` works for either.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from fabdemo.network import ccdeploy, health
from fabdemo.network.context import NetworkContext
from fabdemo.network.nodes import NodeKind, NodeSpec, chaincode_spec, network_specs
from fabdemo.network.state import NetworkError, NetworkState, NodeStatus
from fabdemo.network.topology import Topology
from fabdemo.waiting import wait_until

Progress = Callable[[str], None]

NODE_START_TIMEOUT = 60.0


class Node:
    """One orderer, peer or chaincode server, as the runtime runs it."""

    def __init__(self, spec: NodeSpec, ctx: NetworkContext) -> None:
        self.spec = spec
        self._runtime = ctx.runtime
        self._channel = ctx.base_topology.channel_name

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> NodeKind:
        return self.spec.kind

    def start(self) -> None:
        self._runtime.start(self.spec)

    def stop(self) -> bool:
        return self._runtime.stop(self.spec)

    def is_running(self) -> bool:
        return self._runtime.is_running(self.spec)

    def pid(self) -> int | None:
        """The host pid of the node's process (a container's main process under Compose), None when stopped."""
        return self._runtime.pid(self.spec)

    def is_healthy(self, timeout: float = 1.0) -> bool:
        return health.is_healthy(self.spec, timeout=timeout)

    def height(self) -> int | None:
        return health.ledger_heights(self.spec).get(self._channel)

    def leads(self) -> bool:
        """This orderer leads the ordering service (Raft leader or BFT view leader)."""
        return self.spec.kind == NodeKind.ORDERER and health.is_leader(self.spec, self._channel)

    leads_raft = leads  # the name from before BFT

    def status(self) -> NodeStatus:
        running = self.is_running()
        healthy = running and self.is_healthy()
        return NodeStatus(
            name=self.name,
            kind=str(self.kind),
            org=self.spec.org_key,
            msp_id=self.spec.msp_id,
            running=running,
            healthy=healthy,
            pid=self._runtime.pid(self.spec),
            ports=list(self.spec.ports),
            ledger_height=self.height() if healthy else None,
            raft_leader=self.leads() if healthy and self.kind == NodeKind.ORDERER else None,
            log_file=self._runtime.log_file(self.spec),
            container=self._runtime.container_id(self.spec),
        )


class NodeControl:
    def __init__(self, ctx: NetworkContext) -> None:
        self.ctx = ctx

    # -- which nodes -----------------------------------------------------------------------------------
    def specs(self, topology: Topology | None = None, state: NetworkState | None = None) -> list[NodeSpec]:
        """Every node of the network: of ``topology`` (default: the current members) and, for the
        chaincode servers, the packages ``state`` records (default: network.json)."""
        topology = topology or self.ctx.topology
        state = state or self.ctx.state
        specs = self.ca_specs(topology) + network_specs(topology, self.ctx.layout, self.ctx.fabric)
        package_ids = state.chaincode.get("package_ids", {})
        specs += [
            self.chaincode_spec(org.key, package_ids[org.key]) for org in topology.peer_orgs if org.key in package_ids
        ]
        specs += ccdeploy.deployed_specs(self.ctx)  # the topology's other chaincodes (make deploy-cc NAME=...)
        return specs

    def ca_specs(self, topology: Topology | None = None) -> list[NodeSpec]:
        """The orgs' Fabric CA servers (IDENTITIES=ca; none with cryptogen)."""
        topology = topology or self.ctx.topology
        if not topology.uses_ca or self.ctx.fabric_ca is None:
            return []
        from fabdemo.network.fabricca import ca_specs

        return ca_specs(topology, self.ctx.layout, self.ctx.fabric_ca)

    def chaincode_spec(self, org_key: str, package_id: str) -> NodeSpec:
        ctx = self.ctx
        org = next(o for o in (*ctx.base_topology.peer_orgs, *ctx.base_topology.joinable_orgs) if o.key == org_key)
        label = package_id.split(":", 1)[0]  # "<name>_<binary hash>", the binary's file name
        return chaincode_spec(ctx.layout, org, ctx.layout.chaincode / label, package_id, ctx.chaincode_source)

    def spec(self, name: str) -> NodeSpec:
        """A node by its full name, or by "<first label>.<org key>" (``peer0.farm``)."""
        specs = self.specs()
        for spec in specs:
            if spec.name == name or spec.name.split(".")[0] + "." + spec.org_key == name:
                return spec
        raise KeyError(f"unknown node {name!r}; known: {', '.join(s.name for s in specs)}")

    def nodes(self, kinds: tuple[NodeKind, ...] | None = None) -> list[Node]:
        return [Node(s, self.ctx) for s in self.specs() if kinds is None or s.kind in kinds]

    def status(self) -> list[NodeStatus]:
        statuses = [node.status() for node in self.nodes()]
        if not self.ctx.base_topology.is_bft:
            return statuses
        # BFT: the leader is the one most orderers name, not every node that still claims it.
        leader = self.leader()
        return [replace(s, raft_leader=s.name == leader) if s.raft_leader is not None else s for s in statuses]

    def all_running_and_healthy(self) -> bool:
        return all(node.is_running() and node.is_healthy() for node in self.nodes())

    # -- start and stop ---------------------------------------------------------------------------------
    def start_and_wait(self, specs: list[NodeSpec], progress: Progress | None = None) -> None:
        """Start the nodes at once and wait until each one is healthy (or fail naming the ones that aren't)."""
        runtime = self.ctx.runtime
        runtime.start_many(specs)
        pending = list(specs)

        def all_healthy() -> bool:
            for spec in list(pending):
                if not runtime.is_running(spec):
                    raise NetworkError(f"{spec.name} exited during start-up; see {runtime.log_file(spec)}")
                if health.is_healthy(spec, timeout=0.5):
                    pending.remove(spec)
            return not pending

        try:
            wait_until(all_healthy, NODE_START_TIMEOUT, interval=0.05, what="the nodes to become healthy")
        except TimeoutError:
            names = ", ".join(s.name for s in pending)
            raise NetworkError(
                f"not healthy after {NODE_START_TIMEOUT:.0f}s: {names}; see their node.log files"
            ) from None

    def start_all(self, progress: Progress | None = None) -> None:
        """Start every node of an existing network, peers one after the other.

        A peer probes the other orgs' anchor peers once, while it loads the channel at start-up. Started
        all at once, those probes fail against peers that are not listening yet, and gossip then takes
        up to ten seconds to find the others. Started in turn, each peer finds the ones before it at
        once: about a second more start-up, and peers that know each other straight away.
        """
        specs = self.specs()
        peers = [s for s in specs if s.kind == NodeKind.PEER]
        self.start_and_wait([s for s in specs if s.kind != NodeKind.PEER] + peers[:1], progress)
        for previous, peer in itertools.pairwise(peers):
            self.wait_for_channel(previous)
            self.start_and_wait([peer], progress)
        self.wait_for_leader()
        self.wait_for_gossip()

    def stop_all(self, specs: list[NodeSpec]) -> None:
        from fabdemo.network.admin import in_parallel

        in_parallel(specs, self.ctx.runtime.stop)

    def stop_node(self, name: str) -> bool:
        return self.ctx.runtime.stop(self.spec(name))

    def start_node(self, name: str, progress: Progress | None = None) -> None:
        self.start_and_wait([self.spec(name)], progress)

    # -- cluster-wide waits -------------------------------------------------------------------------------
    @property
    def consensus(self) -> str:
        return self.ctx.base_topology.consensus

    def leader(self) -> str | None:
        """The running orderer that leads the ordering service right now, if any.

        A SmartBFT orderer updates its leader metric when it starts and with each block it writes; after
        the leader stops, the new view's leader shows from the first block it orders. An orderer that
        has just restarted still names the leader of the view it left, so for BFT the leader is the one
        most running orderers name (``consensus_BFT_leader_id``), not whoever claims it.
        """
        if self.ctx.base_topology.is_bft:
            return self._bft_leader()
        for node in self.nodes((NodeKind.ORDERER,)):
            if node.is_running() and node.leads():
                return node.name
        return None

    def _bft_leader(self) -> str | None:
        channel = self.ctx.base_topology.channel_name
        running = [n for n in self.nodes((NodeKind.ORDERER,)) if n.is_running()]
        votes = Counter(i for n in running if (i := health.bft_leader_id(n.spec, channel)) is not None)
        by_id = {o.consenter_id: o.host for o in self.ctx.base_topology.orderer_org.nodes}
        if votes:
            named = by_id.get(votes.most_common(1)[0][0])
            if named in {n.name for n in running}:
                return named
            return None  # the leader most name is not running: the view has not changed yet
        return next((n.name for n in running if n.leads()), None)

    def wait_for_leader(self, timeout: float = 30.0) -> str:
        """Wait for a leader (after start-up or after the leader stopped) and return its name."""
        found: list[str] = []

        def elected() -> bool:
            leader = self.leader()
            if leader:
                found.append(leader)
            return leader is not None

        kind = "BFT" if self.ctx.base_topology.is_bft else "Raft"
        wait_until(elected, timeout, interval=0.1, what=f"a {kind} leader on the ordering service")
        return found[-1]

    # The names from before BFT (chaos scenarios, storyboards).
    raft_leader = leader
    wait_for_raft_leader = wait_for_leader

    def wait_for_equal_heights(
        self, kinds: tuple[NodeKind, ...] = (NodeKind.PEER,), timeout: float = 30.0, what: str | None = None
    ) -> dict[str, int | None]:
        """Wait until every running node of these kinds has the same ledger height; return the heights."""
        nodes = [n for n in self.nodes(kinds) if n.is_running()]

        def heights() -> dict[str, int | None]:
            return {n.name: n.height() for n in nodes}

        def equal() -> bool:
            values = set(heights().values())
            return len(values) == 1 and None not in values

        wait_until(equal, timeout, interval=0.1, what=what or "every peer to reach the same ledger height")
        return heights()

    def peer_height(self) -> int:
        """The highest ledger height among the running member peers (0 if none answers)."""
        return max((h for n in self.nodes((NodeKind.PEER,)) if n.is_running() and (h := n.height())), default=0)

    def wait_for_catch_up(self, spec: NodeSpec, at_least: int = 0, timeout: float = 30.0) -> None:
        """Wait until a node (e.g. a peer that just joined) reaches ``at_least`` and the member peers' height.

        A new member's peer learns its own org from the config block that added it; until it has pulled
        that block, it refuses its admin's proposals ("creator org unknown"). With BFT ordering the
        config update is ordered, and the new peer's block deliverer starts, less promptly than with
        Raft, so this is not instant.
        """
        channel = self.ctx.base_topology.channel_name
        wait_until(lambda: self.peer_height() >= at_least, timeout, interval=0.1, what=f"height {at_least}")
        target = max(at_least, self.peer_height())
        wait_until(
            lambda: health.ledger_heights(spec).get(channel, 0) >= target,
            timeout,
            interval=0.1,
            what=f"{spec.name} to catch up to height {target}",
        )

    def wait_for_gossip(self, timeout: float = 30.0) -> None:
        """Wait until every running peer knows every other running peer of the channel.

        The peer gateway plans endorsements from gossip-based discovery; until peers know each other, a
        transaction needing several orgs is refused with "no combination of peers".
        """
        peers = [n.spec for n in self.nodes((NodeKind.PEER,)) if n.is_running()]
        channel = self.ctx.base_topology.channel_name
        wanted = len(peers) - 1
        wait_until(
            lambda: all(health.gossip_peers_known(p, channel) >= wanted for p in peers),
            timeout,
            interval=0.1,
            what="peers to discover each other through gossip",
        )

    def wait_for_channel(self, peer: NodeSpec, timeout: float = 30.0) -> None:
        """Wait until the peer has loaded the channel (its height metric appears): then it answers probes."""
        channel = self.ctx.base_topology.channel_name
        wait_until(
            lambda: channel in health.ledger_heights(peer),
            timeout,
            interval=0.05,
            what=f"{peer.name} to load {channel}",
        )
