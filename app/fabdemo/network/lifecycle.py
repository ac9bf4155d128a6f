"""The chaincode lifecycle: build, package, install, approve, start the servers, commit.

The contract runs as a chaincode service: each peer org runs its own server process (or container),
and the peer dials it at the address in the package's ``connection.json``. A redeploy is therefore
"build, install, approve, restart the servers, commit", never a build inside a peer. Version and
sequence come from the committed definition: the sequence goes up by one each time and the version
names the build (``<sequence>.0-<binary hash>``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fabdemo.network import admin
from fabdemo.network import chaincode as cc
from fabdemo.network.context import NetworkContext
from fabdemo.network.nodectl import NodeControl
from fabdemo.network.state import NetworkError
from fabdemo.network.topology import PeerOrg, Topology

Progress = Callable[[str], None]


def timed_steps(progress: Progress) -> Progress:
    """Progress lines prefixed with the seconds since this call: ``[  1.2s] Installing ...``."""
    started = time.monotonic()
    return lambda message: progress(f"[{time.monotonic() - started:5.1f}s] {message}")


def build(ctx: NetworkContext, source: Path | None = None) -> cc.ChaincodeBinary:
    """Build the chaincode server (a binary natively, an image under Compose); its hash names the build.

    ``source`` is another copy of the chaincode (a storyboard's prepared change); default: the kit's own.
    """
    name = ctx.base_topology.chaincode.name
    return ctx.runtime.build_chaincode(source or ctx.chaincode_source, ctx.layout.chaincode, name)


class BackgroundBuild:
    """The chaincode build, started early on a thread (it is the slowest step on a cold cache)."""

    def __init__(self, ctx: NetworkContext) -> None:
        self._ctx = ctx
        self._result: cc.ChaincodeBinary | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="chaincode-build")
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = build(self._ctx)
        except BaseException as err:  # handed to the thread that waits, which raises it
            self._error = err

    def result(self) -> cc.ChaincodeBinary:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


class ChaincodeLifecycle:
    def __init__(self, ctx: NetworkContext, nodes: NodeControl) -> None:
        self.ctx = ctx
        self.nodes = nodes

    def redeploy(self, progress: Progress, source: Path | None = None) -> dict[str, Any]:
        """Rebuild the chaincode (``source``: another copy of it) and redeploy it as the next sequence."""
        if not self.ctx.state.bootstrapped:
            raise NetworkError("the network is not up; run `make up` first")
        step = timed_steps(progress)
        step("Building the chaincode")
        return self.deploy(build(self.ctx, source).hash, step)

    def deploy(self, binary_hash: str, step: Progress) -> dict[str, Any]:
        """Install, approve and commit this build for every member org, as the next sequence."""
        ctx = self.ctx
        topology, layout, fabric = ctx.topology, ctx.layout, ctx.fabric
        committed = cc.query_committed(topology, layout, fabric)
        sequence = committed.sequence + 1 if committed else 1
        version = f"{sequence}.0-{binary_hash}"
        label = f"{topology.chaincode.name}_{binary_hash}"
        packages = [cc.package(layout, org, label, ctx.placement) for org in topology.peer_orgs]
        step(f"Installing package {label} on {len(packages)} peers")
        cc.install(topology, layout, fabric, packages)
        step(f"Approving version {version}, sequence {sequence} for each org")
        cc.approve(topology, layout, fabric, packages, version, sequence)
        step("Starting chaincode servers")
        old_ids = ctx.state.chaincode.get("package_ids", {})
        new_specs = [self.nodes.chaincode_spec(p.org_key, p.package_id) for p in packages]
        for pkg, spec in zip(packages, new_specs, strict=True):
            if old_ids.get(pkg.org_key) and old_ids[pkg.org_key] != pkg.package_id:
                ctx.runtime.stop(spec)
        self.nodes.start_and_wait(new_specs, step)
        step("Committing the definition")
        cc.commit(topology, layout, fabric, version, sequence)
        state = ctx.state
        state.chaincode = {
            "name": topology.chaincode.name,
            "version": version,
            "sequence": sequence,
            "label": label,
            "package_ids": {p.org_key: p.package_id for p in packages},
        }
        state.save(layout.network_file)
        step(f"Chaincode {topology.chaincode.name} {version} committed (sequence {sequence})")
        return state.chaincode

    def deploy_to_new_org(self, org: PeerOrg, topology: Topology, step: Progress) -> None:
        """Install the committed chaincode on a new member's peer, start its server, approve the definition."""
        ctx = self.ctx
        deployed = ctx.state.chaincode
        package = cc.package(ctx.layout, org, deployed["label"], ctx.placement)
        step(f"Installing {deployed['label']} on {org.peer.host}, approving sequence {deployed['sequence']}")
        cc.install(topology, ctx.layout, ctx.fabric, [package])
        self.nodes.start_and_wait([self.nodes.chaincode_spec(org.key, package.package_id)], step)
        try:
            cc.approve(topology, ctx.layout, ctx.fabric, [package], deployed["version"], deployed["sequence"])
        except admin.CommandError as err:
            if "unchanged content" not in err.output:
                raise
        state = ctx.state
        state.chaincode["package_ids"][org.key] = package.package_id
        state.save(ctx.layout.network_file)

    def init_roles(self) -> None:
        """``InitRoles``: the role each member org plays, from the topology, written to the ledger once."""
        topology = self.ctx.topology
        roles = {org.msp_id: list(org.roles) for org in topology.peer_orgs}
        cc.invoke(topology, self.ctx.layout, self.ctx.fabric, topology.peer_orgs[0], "InitRoles", [json.dumps(roles)])

    def admin_invoke(
        self, topology: Topology, endorsers: list[PeerOrg], function: str, args: list[str], tolerate: str
    ) -> None:
        """Submit as the first endorser's admin; an error with code ``tolerate`` means it was done already."""
        try:
            cc.invoke(topology, self.ctx.layout, self.ctx.fabric, endorsers[0], function, args, endorsers)
        except admin.CommandError as err:
            if f"{tolerate}:" not in err.output:
                raise
