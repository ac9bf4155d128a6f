"""The network as one object: bring it up, deploy the contract, report status, take it down.

This is the single code path behind ``make up/down/status/deploy-cc``, the tests and (later) the
storyboards' node controls. It is runtime-agnostic: nodes are started through a ``Runtime``.
"""

from __future__ import annotations

import itertools
import json
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fabdemo.network import admin, channel, crypto, health, nodeconfig, snapshot
from fabdemo.network import chaincode as cc
from fabdemo.network.binaries import FabricInstall
from fabdemo.network.layout import StateLayout
from fabdemo.network.membership import Membership
from fabdemo.network.nodes import NodeKind, NodeSpec, chaincode_spec, network_specs
from fabdemo.network.profile import write_connection_files
from fabdemo.network.topology import Topology
from fabdemo.runtime.base import Runtime

Progress = Callable[[str], None]

NODE_START_TIMEOUT = 60.0


class NetworkError(RuntimeError):
    pass


@dataclass
class NetworkState:
    """What ``network.json`` records about the running network."""

    bootstrapped: bool = False
    runtime: str = "native"
    batch_profile: str = "demo"
    chaincode: dict[str, Any] = field(default_factory=dict)
    # Joinable orgs (topology.yaml) that `make add-org` has made channel members.
    joined_orgs: list[str] = field(default_factory=list)
    # The demo data set (demos/seed.yaml) is loaded; a "seeded" snapshot exists for `make reset`.
    seeded: bool = False

    @classmethod
    def load(cls, path: Path) -> NetworkState:
        if not path.is_file():
            return cls()
        return cls(**json.loads(path.read_text()))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2))


@dataclass(frozen=True)
class NodeStatus:
    name: str
    kind: str
    org: str
    msp_id: str
    running: bool
    healthy: bool
    pid: int | None
    ports: list[int]
    ledger_height: int | None
    raft_leader: bool | None
    log_file: str | None
    container: str | None = None  # the node's container under Compose


class FabricNetwork:
    def __init__(
        self,
        topology: Topology,
        layout: StateLayout,
        fabric: FabricInstall,
        runtime: Runtime,
        chaincode_source: Path,
        builders_dir: Path,
    ) -> None:
        self.layout = layout
        self.base_topology = topology
        self.topology = topology.with_members(self.state.joined_orgs)
        self.fabric = fabric
        self.runtime = runtime
        # Addresses and paths as the nodes see them (loopback natively, host names in containers).
        self.placement = runtime.placement
        self.chaincode_source = chaincode_source
        self.builders_dir = builders_dir

    # -- state -------------------------------------------------------------------------------------
    @property
    def state(self) -> NetworkState:
        return NetworkState.load(self.layout.network_file)

    def is_bootstrapped(self) -> bool:
        return self.state.bootstrapped

    def specs(self) -> list[NodeSpec]:
        specs = network_specs(self.topology, self.layout, self.fabric)
        package_ids = self.state.chaincode.get("package_ids", {})
        for org in self.topology.peer_orgs:
            if org.key in package_ids:
                specs.append(self._chaincode_spec(org.key, package_ids[org.key]))
        return specs

    def spec(self, name: str) -> NodeSpec:
        for spec in self.specs():
            if spec.name == name or spec.name.split(".")[0] + "." + spec.org_key == name:
                return spec
        raise KeyError(f"unknown node {name!r}; known: {', '.join(s.name for s in self.specs())}")

    def _chaincode_spec(self, org_key: str, package_id: str) -> NodeSpec:
        org = self.topology.peer_org(org_key)
        label = package_id.split(":", 1)[0]  # "<name>_<binary hash>", the binary's file name
        return chaincode_spec(self.layout, org, self.layout.chaincode / label, package_id, self.chaincode_source)

    # -- up ------------------------------------------------------------------------------------------
    def up(self, progress: Progress, batch_profile: str | None = None) -> str:
        """Start the network; returns 'started', 'resumed' or 'already-up'."""
        if self.is_bootstrapped():
            specs = self.specs()
            if all(self.runtime.is_running(s) and health.is_healthy(s) for s in specs):
                progress("The network is already up.")
                return "already-up"
            progress("Restarting stopped nodes from the existing state...")
            self._start_and_wait(specs, progress)
            self.wait_for_gossip()
            return "resumed"
        self._bootstrap(progress, batch_profile)
        return "started"

    def _bootstrap(self, progress: Progress, batch_profile: str | None) -> None:
        started = time.monotonic()
        # Whatever an earlier network of this state dir left (processes, containers, volumes) goes first.
        self.runtime.teardown()
        busy = [p for p in self.topology.all_ports() if health.port_in_use(p)]
        if busy:
            raise NetworkError(
                f"ports already in use: {busy}. Another Fabric network (or a previous run) is holding them; "
                "stop it first (`make down`, or test-network's ./network.sh down)."
            )
        ephemeral = health.ephemeral_ports()
        if ephemeral and any(ephemeral[0] <= p <= ephemeral[1] for p in self.topology.all_ports()):
            # The kernel hands these out to outgoing connections: a node would fail to bind now and then.
            raise NetworkError(
                f"ports {min(self.topology.all_ports())}-{max(self.topology.all_ports())} reach into the "
                f"ephemeral range {ephemeral[0]}-{ephemeral[1]}; use a smaller FABDEMO_PORT_OFFSET"
            )
        profile_name = batch_profile or self.topology.default_profile
        batch = self.topology.batch_profile(profile_name)
        if self.layout.root.exists():
            shutil.rmtree(self.layout.root)
        self.layout.root.mkdir(parents=True)
        self.topology = self.base_topology

        # The chaincode binary builds while the network starts (it is the slowest step on a cold cache).
        build: dict[str, Any] = {}
        builder = threading.Thread(target=self._build_chaincode_into, args=(build,), daemon=True)
        builder.start()

        def step(message: str) -> None:
            progress(f"[{time.monotonic() - started:5.1f}s] {message}")

        step("Generating crypto material (cryptogen) and node configs")
        crypto.generate(self.topology, self.layout, self.fabric.tool("cryptogen"))
        nodeconfig.write_all(
            self.topology,
            self.layout,
            self.fabric.sampleconfig_dir,
            self.builders_dir,
            self.placement,
            self.runtime.couchdb,
        )
        step(f"Creating the genesis block of channel '{self.topology.channel_name}' (batch profile {profile_name})")
        channel.create_genesis_block(self.topology, self.layout, batch, self.fabric.tool("configtxgen"), self.placement)
        admin.write_env_files(self.topology, self.layout, self.fabric)
        write_connection_files(self.topology, self.layout)

        step("Starting 3 orderers and 3 peers")
        self._start_and_wait(network_specs(self.topology, self.layout, self.fabric), step)

        step("Joining orderers to the channel (channel participation API)")
        admin.in_parallel(list(self.topology.orderer_org.nodes), self._join_orderer)
        step("Joining peers to the channel")
        for org in self.topology.peer_orgs:  # in turn, so each one's anchor probes find the others (_start_all)
            self._join_peer(org)
        self.wait_for_raft_leader()
        step("Raft leader elected")

        builder.join()
        if "error" in build:
            raise build["error"]
        state = NetworkState(bootstrapped=False, runtime=self.runtime.name, batch_profile=profile_name)
        state.save(self.layout.network_file)
        self._deploy(build["binary"].hash, step)
        step("Recording the role of each organisation on the ledger")
        self._init_roles()
        self.wait_for_gossip()
        step("Peers see each other (gossip)")
        state = self.state
        state.bootstrapped = True
        state.save(self.layout.network_file)
        step("Network up")

    def _build_chaincode_into(self, result: dict[str, Any]) -> None:
        try:
            result["binary"] = self.runtime.build_chaincode(
                self.chaincode_source, self.layout.chaincode, self.topology.chaincode.name
            )
        except Exception as err:  # handed to the main thread, which raises it
            result["error"] = err

    def _start_and_wait(self, specs: list[NodeSpec], progress: Progress) -> None:
        self.runtime.start_many(specs)
        pending = list(specs)
        deadline = time.monotonic() + NODE_START_TIMEOUT
        while pending and time.monotonic() < deadline:
            for spec in list(pending):
                if not self.runtime.is_running(spec):
                    raise NetworkError(f"{spec.name} exited during start-up; see {self.runtime.log_file(spec)}")
                if health.is_healthy(spec, timeout=0.5):
                    pending.remove(spec)
            if pending:
                time.sleep(0.05)
        if pending:
            names = ", ".join(s.name for s in pending)
            raise NetworkError(f"not healthy after {NODE_START_TIMEOUT:.0f}s: {names}; see their node.log files")

    def _join_orderer(self, node) -> None:
        admin.osnadmin_join(self.topology, self.layout, self.fabric, node)

    def _join_peer(self, org) -> None:
        try:
            admin.run_peer(
                self.topology,
                self.layout,
                self.fabric,
                org,
                ["channel", "join", "-b", str(self.layout.genesis_block)],
            )
        except admin.CommandError as err:
            if "already exists" not in err.output:
                raise

    def orderer_specs(self) -> list[NodeSpec]:
        return [s for s in self.specs() if s.kind == NodeKind.ORDERER]

    def raft_leader(self) -> str | None:
        """The running orderer that leads the channel's Raft cluster right now, if any."""
        for spec in self.orderer_specs():
            if self.runtime.is_running(spec) and health.is_raft_leader(spec, self.topology.channel_name):
                return spec.name
        return None

    def wait_for_raft_leader(self, timeout: float = 30.0) -> str:
        """Wait for a Raft leader (after start-up or after the leader stopped) and return its name."""
        found: list[str] = []

        def elected() -> bool:
            leader = self.raft_leader()
            if leader:
                found.append(leader)
            return leader is not None

        health.wait_until(elected, timeout, interval=0.1, what="a Raft leader on the ordering service")
        return found[-1]

    def wait_for_equal_heights(
        self, kinds: tuple[NodeKind, ...] = (NodeKind.PEER,), timeout: float = 30.0, what: str | None = None
    ) -> dict[str, int | None]:
        """Wait until every running node of these kinds has the same ledger height; return the heights."""
        channel = self.topology.channel_name
        nodes = [s for s in self.specs() if s.kind in kinds and self.runtime.is_running(s)]

        def heights() -> dict[str, int | None]:
            return {s.name: health.ledger_heights(s).get(channel) for s in nodes}

        def equal() -> bool:
            values = set(heights().values())
            return len(values) == 1 and None not in values

        health.wait_until(equal, timeout, interval=0.1, what=what or "every peer to reach the same ledger height")
        return heights()

    def wait_for_gossip(self, timeout: float = 30.0) -> None:
        """Wait until every running peer knows every other running peer of the channel.

        The peer gateway plans endorsements from gossip-based discovery; until peers know each other, a
        transaction needing several orgs is refused with "no combination of peers".
        """
        peers = [s for s in self.specs() if s.kind == NodeKind.PEER and self.runtime.is_running(s)]
        wanted = len(peers) - 1
        health.wait_until(
            lambda: all(health.gossip_peers_known(p, self.topology.channel_name) >= wanted for p in peers),
            timeout,
            interval=0.1,
            what="peers to discover each other through gossip",
        )

    # -- chaincode -----------------------------------------------------------------------------------
    def deploy_chaincode(self, progress: Progress) -> dict[str, Any]:
        """Rebuild the chaincode and redeploy it as the next sequence (``make deploy-cc``)."""
        if not self.is_bootstrapped():
            raise NetworkError("the network is not up; run `make up` first")
        started = time.monotonic()

        def step(message: str) -> None:
            progress(f"[{time.monotonic() - started:5.1f}s] {message}")

        step("Building the chaincode")
        binary = self.runtime.build_chaincode(
            self.chaincode_source, self.layout.chaincode, self.topology.chaincode.name
        )
        return self._deploy(binary.hash, step)

    def _deploy(self, binary_hash: str, step: Progress) -> dict[str, Any]:
        committed = cc.query_committed(self.topology, self.layout, self.fabric)
        sequence = committed.sequence + 1 if committed else 1
        version = f"{sequence}.0-{binary_hash}"
        label = f"{self.topology.chaincode.name}_{binary_hash}"
        packages = [cc.package(self.layout, org, label, self.placement) for org in self.topology.peer_orgs]
        step(f"Installing package {label} on {len(packages)} peers")
        cc.install(self.topology, self.layout, self.fabric, packages)
        step(f"Approving version {version}, sequence {sequence} for each org")
        cc.approve(self.topology, self.layout, self.fabric, packages, version, sequence)
        step("Starting chaincode servers")
        old_ids = self.state.chaincode.get("package_ids", {})
        new_specs = [self._chaincode_spec(p.org_key, p.package_id) for p in packages]
        for pkg, spec in zip(packages, new_specs, strict=True):
            if old_ids.get(pkg.org_key) and old_ids[pkg.org_key] != pkg.package_id:
                self.runtime.stop(spec)
        self._start_and_wait(new_specs, step)
        step("Committing the definition")
        cc.commit(self.topology, self.layout, self.fabric, version, sequence)
        state = self.state
        state.chaincode = {
            "name": self.topology.chaincode.name,
            "version": version,
            "sequence": sequence,
            "label": label,
            "package_ids": {p.org_key: p.package_id for p in packages},
        }
        state.save(self.layout.network_file)
        step(f"Chaincode {self.topology.chaincode.name} {version} committed (sequence {sequence})")
        return state.chaincode

    def _init_roles(self) -> None:
        roles = {org.msp_id: list(org.roles) for org in self.topology.peer_orgs}
        cc.invoke(
            self.topology,
            self.layout,
            self.fabric,
            self.topology.peer_orgs[0],
            "InitRoles",
            [json.dumps(roles)],
        )

    # -- consortium growth (make add-org / remove-org) -----------------------------------------------
    def add_org(self, key: str, progress: Progress) -> str:
        """Onboard a joinable org: crypto, channel update, its peer, the chaincode, its role.

        Every step is idempotent, so a run that was interrupted can simply be repeated. Returns 'added'
        or 'already-member'.
        """
        if not self.is_bootstrapped():
            raise NetworkError("the network is not up; run `make up` first")
        if key in self.state.joined_orgs or any(o.key == key for o in self.base_topology.peer_orgs):
            progress(f"{key} is already a member of channel {self.topology.channel_name}.")
            return "already-member"
        org = self.base_topology.joinable_org(key)
        started = time.monotonic()

        def step(message: str) -> None:
            progress(f"[{time.monotonic() - started:5.1f}s] {message}")

        existing = list(self.topology.peer_orgs)
        grown = self.base_topology.with_members([*self.state.joined_orgs, org.key])
        if not self.layout.admin_msp(org).exists():
            step(f"Generating crypto material for {org.name} ({org.msp_id})")
            crypto.extend(grown, self.layout, self.fabric.tool("cryptogen"), org)
        if not (self.layout.chaincode_tls_dir(org) / "ca.crt").exists():
            crypto.issue_chaincode_server_tls(self.layout, org)
        nodeconfig.write_peer(
            grown,
            self.layout,
            org,
            self.fabric.sampleconfig_dir,
            self.builders_dir,
            self.placement,
            self.runtime.couchdb(org),
        )
        admin.write_env_files(grown, self.layout, self.fabric)
        step(f"Starting {org.peer.host}")
        peer = next(s for s in network_specs(grown, self.layout, self.fabric) if s.name == org.peer.host)
        self._start_and_wait([peer], step)

        step(f"Channel config update adding {org.msp_id}, signed by {', '.join(o.msp_id for o in existing)}")
        Membership(self.topology, self.layout, self.fabric, self.placement).add(org, signers=existing)
        step(f"{org.peer.host} joins the channel and catches up")
        self.topology = grown
        self._join_peer(org)
        self._deploy_to_new_org(org, step)
        step(f"Granting {org.msp_id} the role(s) {', '.join(org.roles)} on the ledger")
        for role in org.roles:
            self._admin_invoke(existing, "GrantRole", [org.msp_id, role], tolerate="ALREADY_EXISTS")

        state = self.state
        state.joined_orgs = [*state.joined_orgs, org.key]
        state.save(self.layout.network_file)
        write_connection_files(self.topology, self.layout)
        self.wait_for_equal_heights()
        self.wait_for_gossip()
        majority = len(self.topology.peer_orgs) // 2 + 1
        step(f"{org.name} is a member: {len(self.topology.peer_orgs)} peer orgs, MAJORITY = {majority} endorsements")
        return "added"

    def _admin_invoke(self, endorsers: list, function: str, args: list[str], tolerate: str) -> None:
        """Submit as the first endorser's admin; an error with code ``tolerate`` means already done."""
        try:
            cc.invoke(self.topology, self.layout, self.fabric, endorsers[0], function, args, endorsers)
        except admin.CommandError as err:
            if f"{tolerate}:" not in err.output:
                raise

    def _deploy_to_new_org(self, org, step: Progress) -> None:
        """Install the committed chaincode on the new org's peer, start its server, approve the definition."""
        deployed = self.state.chaincode
        package = cc.package(self.layout, org, deployed["label"], self.placement)
        step(f"Installing {deployed['label']} on {org.peer.host}, approving sequence {deployed['sequence']}")
        cc.install(self.topology, self.layout, self.fabric, [package])
        self._start_and_wait([self._chaincode_spec(org.key, package.package_id)], step)
        try:
            cc.approve(self.topology, self.layout, self.fabric, [package], deployed["version"], deployed["sequence"])
        except admin.CommandError as err:
            if "unchanged content" not in err.output:
                raise
        state = self.state
        state.chaincode["package_ids"][org.key] = package.package_id
        state.save(self.layout.network_file)

    def remove_org(self, key: str, progress: Progress) -> str:
        """Take a joined org out again: channel update, role revoked, its nodes stopped and deleted."""
        org = self.base_topology.joinable_org(key)
        self.topology = self.base_topology.with_members([*self.state.joined_orgs, key])
        remaining = [o for o in self.topology.peer_orgs if o.key != key]
        membership = Membership(self.topology, self.layout, self.fabric, self.placement)
        if key not in self.state.joined_orgs and org.msp_id not in membership.members(remaining[0]):
            progress(f"{key} is not a member of the channel; nothing to remove.")
            return "not-member"
        for role in org.roles:
            self._admin_invoke(remaining, "RevokeRole", [org.msp_id, role], tolerate="NOT_FOUND")
        progress(f"Channel config update removing {org.msp_id}")
        membership.remove(org, signers=remaining)
        # The org's nodes stop but keep their ledgers: its records (including its private approval of the
        # chaincode definition, which no other org holds) are still there if it joins again.
        for spec in [s for s in self.specs() if s.org_key == key]:
            self.runtime.stop(spec)
        state = self.state
        state.joined_orgs = [k for k in state.joined_orgs if k != key]
        state.chaincode.get("package_ids", {}).pop(key, None)
        state.save(self.layout.network_file)
        self.topology = self.base_topology.with_members(state.joined_orgs)
        admin.write_env_files(self.topology, self.layout, self.fabric)
        write_connection_files(self.topology, self.layout)
        self.wait_for_gossip()
        progress(f"{org.name} removed")
        return "removed"

    # -- node control --------------------------------------------------------------------------------
    def stop_node(self, name: str) -> bool:
        return self.runtime.stop(self.spec(name))

    def start_node(self, name: str, progress: Progress | None = None) -> None:
        self._start_and_wait([self.spec(name)], progress or (lambda _m: None))

    # -- snapshots (make reset) ------------------------------------------------------------------------
    def save_snapshot(self, name: str, progress: Progress) -> float:
        """Stop the network briefly, copy every ledger, start it again. Returns the seconds taken."""
        started = time.monotonic()
        specs = self.specs()
        self._stop_all(specs)
        try:
            snapshot.save(self.layout, specs, name, self.runtime)
        finally:
            self._start_all(progress)
        return time.monotonic() - started

    def restore_snapshot(self, name: str, progress: Progress) -> float:
        """Rewind the whole network to a snapshot (same ledgers, same chaincode). Returns seconds taken."""
        if not snapshot.exists(self.layout, name):
            raise NetworkError(f"no snapshot {name!r}: run `make demo` (it takes one after seeding)")
        started = time.monotonic()
        self.runtime.stop_all()  # including orgs that joined after the snapshot
        # The snapshot's own member orgs decide which ledgers come back (not the ones running now).
        taken = NetworkState.load(snapshot.snapshot_dir(self.layout, name) / "network.json")
        self.topology = self.base_topology.with_members(taken.joined_orgs)
        snapshot.load(self.layout, self.specs(), name, self.runtime)
        self._forget_nodes_not_in(self.specs())
        self._start_all(progress)
        return time.monotonic() - started

    def _forget_nodes_not_in(self, specs: list[NodeSpec]) -> None:
        """Delete folders of nodes the restored network does not have (an org that joined later)."""
        wanted = {s.name for s in specs}
        for folder in self.layout.nodes.iterdir() if self.layout.nodes.exists() else []:
            if folder.name not in wanted:
                shutil.rmtree(folder)
                self.runtime.discard(folder.name)  # its container and volume, under Compose
        admin.write_env_files(self.topology, self.layout, self.fabric)
        write_connection_files(self.topology, self.layout)

    def mark_seeded(self) -> None:
        state = self.state
        state.seeded = True
        state.save(self.layout.network_file)

    def has_snapshot(self, name: str) -> bool:
        return snapshot.exists(self.layout, name)

    def _stop_all(self, specs: list[NodeSpec]) -> None:
        admin.in_parallel(specs, self.runtime.stop)

    def _start_all(self, progress: Progress) -> None:
        """Start every node of an existing network, peers one after the other.

        A peer probes the other orgs' anchor peers once, while it loads the channel at start-up. Started
        all at once, those probes fail against peers that are not listening yet, and gossip then takes
        up to ten seconds to find the others. Started in turn, each peer finds the ones before it at
        once: about a second more start-up, and peers that know each other straight away.
        """
        specs = self.specs()
        peers = [s for s in specs if s.kind == NodeKind.PEER]
        first_wave = [s for s in specs if s.kind != NodeKind.PEER] + peers[:1]
        self._start_and_wait(first_wave, progress)
        for previous, peer in itertools.pairwise(peers):
            self._wait_for_channel(previous)
            self._start_and_wait([peer], progress)
        self.wait_for_raft_leader()
        self.wait_for_gossip()

    def _wait_for_channel(self, peer: NodeSpec, timeout: float = 30.0) -> None:
        """Wait until the peer has loaded the channel (its height metric appears): then it answers probes."""
        channel = self.topology.channel_name
        loaded = f"{peer.name} to load {channel}"
        health.wait_until(lambda: channel in health.ledger_heights(peer), timeout, interval=0.05, what=loaded)

    # -- status --------------------------------------------------------------------------------------
    def status(self) -> list[NodeStatus]:
        result = []
        for spec in self.specs():
            running = self.runtime.is_running(spec)
            healthy = running and health.is_healthy(spec)
            heights = health.ledger_heights(spec) if healthy else {}
            leader = None
            if spec.kind == NodeKind.ORDERER and healthy:
                leader = health.is_raft_leader(spec, self.topology.channel_name)
            result.append(
                NodeStatus(
                    name=spec.name,
                    kind=str(spec.kind),
                    org=spec.org_key,
                    msp_id=spec.msp_id,
                    running=running,
                    healthy=healthy,
                    pid=self.runtime.pid(spec),
                    ports=list(spec.ports),
                    ledger_height=heights.get(self.topology.channel_name),
                    raft_leader=leader,
                    log_file=self.runtime.log_file(spec),
                    container=self.runtime.container_id(spec),
                )
            )
        return result

    # -- down ----------------------------------------------------------------------------------------
    def down(self, progress: Progress) -> None:
        stopped = self.runtime.teardown()
        progress(
            f"Stopped {stopped} node process(es)" if self.runtime.name == "native" else f"Stopped {stopped} node(s)"
        )
        if self.layout.root.exists():
            shutil.rmtree(self.layout.root)
            progress(f"Removed {self.layout.root}")
        busy = [p for p in self.topology.all_ports() if health.port_in_use(p)]
        if busy:
            raise NetworkError(f"ports still in use after stopping our processes: {busy} (not ours?)")
