"""Deploy, redeploy and hot-reload the other chaincodes of the topology (``chaincodes`` after the first).

The provenance contract keeps its own lifecycle (``lifecycle.py``: its role table, storyboards and
snapshots depend on it). Every other chaincode goes through here, in any of the three languages:

- ``deploy``: build; install a ccaas package per org; approve and commit the next sequence; then swap
  each org's server to the new build. The build and the definition come before any server is touched,
  so a contract that does not compile, or a definition the channel refuses, leaves the network as it was.
- ``reload``: build and restart every org's server with the new code under the same definition (the
  package id, and so the peer's view, stays the same). Every org runs the same build, so endorsements
  still agree. ``deploy`` remains the way to publish a new version.

Each org runs one server per chaincode, on that chaincode's port (``ChaincodeSpec.server_port``), with
the org's chaincode TLS certificate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fabdemo.network import admin, ccbuild
from fabdemo.network import chaincode as cc
from fabdemo.network.context import NetworkContext
from fabdemo.network.nodes import NodeKind, NodeSpec
from fabdemo.network.state import NetworkError
from fabdemo.network.topology import LOCALHOST, ChaincodeSpec, PeerOrg
from fabdemo.settings import REPO_ROOT

Progress = Callable[[str], None]


class DefinitionRefused(NetworkError):
    """The channel refused the chaincode definition (approve or commit); the network is unchanged."""


@dataclass(frozen=True)
class ReloadResult:
    name: str
    seconds: float
    build_hash: str
    orgs: list[str]


def server_name(spec: ChaincodeSpec, org: PeerOrg) -> str:
    return f"{spec.name}.{org.chaincode_server_host}"


def server_spec(ctx: NetworkContext, spec: ChaincodeSpec, org: PeerOrg, build_path: Path, package_id: str) -> NodeSpec:
    port = spec.server_port(org)
    tls = ctx.layout.chaincode_tls_dir(org)
    command, env = ccbuild.server_command(spec.language, build_path, f"{LOCALHOST}:{port}", package_id, tls)
    name = server_name(spec, org)
    return NodeSpec(
        name=name,
        kind=NodeKind.CHAINCODE,
        org_key=org.key,
        msp_id=org.msp_id,
        command=tuple(command),
        env=env,
        cwd=ctx.layout.node_dir(name),
        ports=(port,),
        tls_ca=tls / "ca.crt",
        health_port=port,
        extra={"package_id": package_id, "chaincode": spec.name},
    )


def source_dir(ctx: NetworkContext, spec: ChaincodeSpec) -> Path:
    path = Path(spec.source)
    return path if path.is_absolute() else REPO_ROOT / path  # relative: to the repository root


def _org(ctx: NetworkContext, key: str) -> PeerOrg:
    topology = ctx.base_topology
    return next(o for o in (*topology.peer_orgs, *topology.joinable_orgs) if o.key == key)


def deployed_specs(ctx: NetworkContext) -> list[NodeSpec]:
    """The servers of every deployed non-provenance chaincode, as network.json records them."""
    specs: list[NodeSpec] = []
    members = {org.key for org in ctx.topology.peer_orgs}
    for name, entry in ctx.state.chaincodes.items():
        try:
            spec = ctx.base_topology.chaincode_named(name)
        except KeyError:
            continue  # removed from the topology: its servers are left alone (stop_all still stops them)
        for org_key, package_id in entry.get("package_ids", {}).items():
            if org_key in members:
                specs.append(server_spec(ctx, spec, _org(ctx, org_key), Path(entry["build"]), package_id))
    return specs


class ChaincodeDeployer:
    def __init__(self, ctx: NetworkContext, nodes: Any) -> None:
        self.ctx = ctx
        self.nodes = nodes  # NodeControl (start_and_wait)

    def spec(self, name: str) -> ChaincodeSpec:
        try:
            spec = self.ctx.base_topology.chaincode_named(name)
        except KeyError as err:
            raise NetworkError(str(err.args[0])) from None
        if spec.index == 0:
            raise NetworkError(f"{name} is the kit's own contract: `make deploy-cc` without NAME redeploys it")
        return spec

    def _check_ready(self) -> None:
        if not self.ctx.state.bootstrapped:
            raise NetworkError("the network is not up; run `make up` first")
        if self.ctx.runtime.name != "native":
            raise NetworkError(
                "your own chaincodes run on the native runtime only for now (RUNTIME=native); "
                "under Compose the kit deploys its provenance contract"
            )

    def build(self, spec: ChaincodeSpec) -> cc.ChaincodeBinary:
        out = self.ctx.layout.chaincode / "builds"
        return ccbuild.build(source_dir(self.ctx, spec), out, spec.name, spec.language)

    # -- publish a new version ------------------------------------------------------------------------------
    def deploy(self, name: str, progress: Progress, *, only_if_changed: bool = False) -> dict[str, Any] | None:
        """Build, install, approve and commit ``name`` as the next sequence; None if unchanged (and asked)."""
        self._check_ready()
        spec = self.spec(name)
        ctx = self.ctx
        started = time.monotonic()

        def step(message: str) -> None:
            progress(f"[{time.monotonic() - started:5.1f}s] {message}")

        step(f"Building {spec.name} ({spec.language}) from {source_dir(ctx, spec)}")
        binary = self.build(spec)  # ChaincodeBuildError: nothing has changed yet
        previous = ctx.state.chaincodes.get(spec.name)
        if only_if_changed and previous and previous.get("label", "").endswith(f"_{binary.hash}"):
            step(f"{spec.name} unchanged (build {binary.hash}); nothing to deploy")
            return None
        topology, layout, fabric = ctx.topology, ctx.layout, ctx.fabric
        committed = cc.query_committed(topology, layout, fabric, spec)
        sequence = committed.sequence + 1 if committed else 1
        version = f"{sequence}.0-{binary.hash}"
        label = f"{spec.name}_{binary.hash}"
        packages = [cc.package(layout, org, label, ctx.placement, self._port(spec, org)) for org in topology.peer_orgs]
        step(f"Installing package {label} on {len(packages)} peers")
        cc.install(topology, layout, fabric, packages)
        step(f"Approving version {version}, sequence {sequence} for each org")
        try:
            cc.approve(topology, layout, fabric, packages, version, sequence, spec)
            step("Committing the definition")
            cc.commit(topology, layout, fabric, version, sequence, spec)
        except admin.CommandError as err:
            raise DefinitionRefused(
                f"the channel refused the definition of {spec.name} (sequence {sequence}); nothing changed:\n"
                f"{err.output.strip()[-1500:]}"
            ) from None
        step("Starting the new chaincode servers")
        new_specs = [
            server_spec(ctx, spec, org, binary.path, p.package_id)
            for org, p in zip(topology.peer_orgs, packages, strict=True)
        ]
        for new in new_specs:
            ctx.runtime.stop(new)  # the old build's server on the same port (same node name)
        self.nodes.start_and_wait(new_specs, step)
        state = ctx.state
        state.chaincodes[spec.name] = {
            "name": spec.name,
            "language": spec.language,
            "version": version,
            "sequence": sequence,
            "label": label,
            "package_ids": {p.org_key: p.package_id for p in packages},
            "build": str(binary.path),
        }
        state.save(layout.network_file)
        step(f"Chaincode {spec.name} {version} committed (sequence {sequence})")
        return state.chaincodes[spec.name]

    def _port(self, spec: ChaincodeSpec, org: PeerOrg) -> int:
        return spec.server_port(org)

    def deploy_changed(self, progress: Progress) -> list[dict[str, Any]]:
        """Deploy every listed chaincode (after the first) whose build differs from the deployed one."""
        done = []
        for spec in self.ctx.base_topology.chaincodes[1:]:
            result = self.deploy(spec.name, progress, only_if_changed=True)
            if result is not None:
                done.append(result)
        return done

    # -- hot reload -----------------------------------------------------------------------------------------
    def reload(self, name: str, progress: Progress) -> ReloadResult:
        """Rebuild and restart every org's server with the new code under the committed definition."""
        self._check_ready()
        spec = self.spec(name)
        ctx = self.ctx
        entry = ctx.state.chaincodes.get(spec.name)
        if not entry:
            raise NetworkError(f"{spec.name} is not deployed yet; run `make deploy-cc NAME={spec.name}` first")
        started = time.monotonic()
        binary = self.build(spec)  # a compile error leaves the running servers as they are
        orgs = [org for org in ctx.topology.peer_orgs if org.key in entry["package_ids"]]
        specs = [server_spec(ctx, spec, org, binary.path, entry["package_ids"][org.key]) for org in orgs]
        for node in specs:
            ctx.runtime.stop(node)
        self.nodes.start_and_wait(specs)
        state = ctx.state
        state.chaincodes[spec.name]["build"] = str(binary.path)
        state.save(ctx.layout.network_file)
        seconds = time.monotonic() - started
        where = ", ".join(o.key for o in orgs)
        progress(f"Reloaded {spec.name} ({spec.language}, build {binary.hash}) on {where} in {seconds:.1f}s")
        return ReloadResult(spec.name, seconds, binary.hash, [o.key for o in orgs])
