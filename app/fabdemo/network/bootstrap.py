"""Bring a network up from nothing (or resume one), and take it down.

From empty state: crypto, node configs, the channel's genesis block, env files and connection
profiles; then every node at once, the channel joined through the channel participation API, the
contract deployed and the roles recorded. The chaincode builds in the background from the first
second, because on a cold cache it is the slowest step.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable

from fabdemo.network import admin, channel, crypto, health, nodeconfig
from fabdemo.network.context import NetworkContext
from fabdemo.network.lifecycle import BackgroundBuild, ChaincodeLifecycle, timed_steps
from fabdemo.network.nodectl import NodeControl
from fabdemo.network.nodes import NodeKind, network_specs
from fabdemo.network.profile import write_connection_files
from fabdemo.network.state import NetworkError, NetworkState
from fabdemo.network.topology import PeerOrg, Topology

Progress = Callable[[str], None]


def join_peer(ctx: NetworkContext, topology: Topology, org: PeerOrg) -> None:
    """``peer channel join`` for the org's peer (idempotent: an existing channel is fine)."""
    try:
        admin.run_peer(topology, ctx.layout, ctx.fabric, org, ["channel", "join", "-b", str(ctx.layout.genesis_block)])
    except admin.CommandError as err:
        if "already exists" not in err.output:
            raise


def _count(items: list, singular: str) -> str:
    return f"{len(items)} {singular}{'' if len(items) == 1 else 's'}"


class Bootstrap:
    def __init__(self, ctx: NetworkContext, nodes: NodeControl, lifecycle: ChaincodeLifecycle) -> None:
        self.ctx = ctx
        self.nodes = nodes
        self.lifecycle = lifecycle

    def up(self, progress: Progress, batch_profile: str | None = None) -> str:
        """Start the network; returns 'started', 'resumed' or 'already-up'."""
        if self.ctx.state.bootstrapped:
            if self.nodes.all_running_and_healthy():
                progress("The network is already up.")
                return "already-up"
            progress("Restarting stopped nodes from the existing state...")
            self.nodes.start_and_wait(self.nodes.specs(), progress)
            self.nodes.wait_for_gossip()
            return "resumed"
        self._bootstrap(progress, batch_profile)
        return "started"

    def _check_ports(self, topology: Topology) -> None:
        ports = topology.all_ports()
        busy = [p for p in ports if health.port_in_use(p)]
        if busy:
            raise NetworkError(
                f"ports already in use: {busy}. Another Fabric network (or a previous run) is holding them; "
                "stop it first (`make down`, or test-network's ./network.sh down)."
            )
        ephemeral = health.ephemeral_ports()
        if ephemeral and any(ephemeral[0] <= p <= ephemeral[1] for p in ports):
            # The kernel hands these out to outgoing connections: a node would fail to bind now and then.
            raise NetworkError(
                f"ports {min(ports)}-{max(ports)} reach into the ephemeral range {ephemeral[0]}-{ephemeral[1]}; "
                "use a smaller FABDEMO_PORT_OFFSET"
            )

    def _bootstrap(self, progress: Progress, batch_profile: str | None) -> None:
        ctx = self.ctx
        layout, fabric, runtime = ctx.layout, ctx.fabric, ctx.runtime
        # Whatever an earlier network of this state dir left (processes, containers, volumes) goes first.
        runtime.teardown()
        topology = ctx.base_topology
        self._check_ports(topology)
        profile_name = batch_profile or topology.default_profile
        batch = topology.batch_profile(profile_name)
        if layout.root.exists():
            shutil.rmtree(layout.root)
        layout.root.mkdir(parents=True)
        # Recorded at once, so that `make down` after a failed start knows which orderers it had.
        initial = NetworkState(runtime=runtime.name, batch_profile=profile_name, consensus=topology.consensus)
        initial.identities = topology.identities
        initial.save(layout.network_file)

        build = BackgroundBuild(ctx)
        step = timed_steps(progress)
        if topology.uses_ca:
            self._enroll_with_cas(topology, step)
        else:
            step("Generating crypto material (cryptogen) and node configs")
            crypto.generate(topology, layout, fabric.tool("cryptogen"))
        nodeconfig.write_all(
            topology, layout, fabric.sampleconfig_dir, ctx.builders_dir, ctx.placement, runtime.couchdb
        )
        step(
            f"Creating the genesis block of channel '{topology.channel_name}' "
            f"({channel.consensus_label(topology)}, batch profile {profile_name})"
        )
        channel.create_genesis_block(topology, layout, batch, fabric.tool("configtxgen"), ctx.placement)
        admin.write_env_files(topology, layout, fabric)
        write_connection_files(topology, layout)

        specs = network_specs(topology, layout, fabric)
        orderers = [s for s in specs if s.kind == NodeKind.ORDERER]
        peers = [s for s in specs if s.kind == NodeKind.PEER]
        step(f"Starting {_count(orderers, 'orderer')} and {_count(peers, 'peer')}")
        self.nodes.start_and_wait(specs, step)

        step("Joining orderers to the channel (channel participation API)")
        admin.in_parallel(
            list(topology.orderer_org.nodes), lambda node: admin.osnadmin_join(topology, layout, fabric, node)
        )
        step("Joining peers to the channel")
        for org in topology.peer_orgs:  # in turn, so each one's anchor probes find the others (start_all)
            join_peer(ctx, topology, org)
        leader = self.nodes.wait_for_leader()
        step(f"{'BFT' if topology.is_bft else 'Raft'} leader: {leader}")

        binary = build.result()
        initial.save(layout.network_file)
        self.lifecycle.deploy(binary.hash, step)
        step("Recording the role of each organisation on the ledger")
        self.lifecycle.init_roles()
        self.nodes.wait_for_gossip()
        step("Peers see each other (gossip)")
        state = ctx.state
        state.bootstrapped = True
        state.save(layout.network_file)
        step("Network up")

    def _enroll_with_cas(self, topology: Topology, step: Progress) -> None:
        """IDENTITIES=ca: start one Fabric CA per org, then register and enroll every identity."""
        from fabdemo.network import enrollment, fabricca

        # Both runtimes: the CAs run as processes or as containers (docker-compose.yaml's "ca" profile);
        # enrollment runs here on the host with fabric-ca-client against their published ports.
        ca_install = self.ctx.fabric_ca
        if ca_install is None:
            raise NetworkError("IDENTITIES=ca needs the Fabric CA binaries (the context did not build them)")
        cas = fabricca.ca_specs(topology, self.ctx.layout, ca_install)
        step(f"Starting {_count(cas, 'Fabric CA server')} (one per org, TLS)")
        self.nodes.start_and_wait(cas, step)
        step("Enrolling nodes, admins and users with the CAs (NodeOUs)")
        enrollment.enroll_all(topology, self.ctx.layout, ca_install)
        for org in topology.peer_orgs:
            crypto.issue_chaincode_server_tls(self.ctx.layout, org)
        step("Writing node configs")

    def down(self, progress: Progress) -> None:
        """Stop every node the kit started (by pid or container) and delete the state directory."""
        ctx = self.ctx
        topology = ctx.topology  # read before the state goes: orgs that joined later have ports too
        stopped = ctx.runtime.teardown()
        progress(
            f"Stopped {stopped} node process(es)" if ctx.runtime.name == "native" else f"Stopped {stopped} node(s)"
        )
        if ctx.layout.root.exists():
            shutil.rmtree(ctx.layout.root)
            progress(f"Removed {ctx.layout.root}")
        busy = [p for p in topology.all_ports() if health.port_in_use(p)]
        if busy:
            raise NetworkError(f"ports still in use after stopping our processes: {busy} (not ours?)")
