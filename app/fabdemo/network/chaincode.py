"""The provenance chaincode as a service: build, package, and the lifecycle (install, approve, commit).

Redeploying is "rebuild a Go binary, restart its servers, approve and commit the next sequence": the
peer never builds anything. The package label carries a hash of the binary, so every code change gets
a new package id and version, and the sequence is always the committed one plus one.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from fabdemo.network import endorsement
from fabdemo.network.admin import CommandError, in_parallel, orderer_tls_args, run_peer
from fabdemo.network.binaries import FabricInstall
from fabdemo.network.layout import StateLayout
from fabdemo.network.placement import NATIVE, Placement
from fabdemo.network.topology import ChaincodeSpec, PeerOrg, Topology


@dataclass(frozen=True)
class ChaincodePackage:
    org_key: str
    path: Path
    label: str
    package_id: str


@dataclass(frozen=True)
class CommittedDefinition:
    sequence: int
    version: str


@dataclass(frozen=True)
class ChaincodeBinary:
    path: Path
    hash: str  # short sha256 of the binary: names the package label and the version


def build_binary(source_dir: Path, out_dir: Path, name: str) -> ChaincodeBinary:
    """``go build`` the chaincode into ``out_dir/<name>_<hash>``.

    Every build keeps its own file, so a network restored from a snapshot can restart the chaincode
    servers with exactly the binary its committed definition was made from.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / f"{name}.build"
    proc = subprocess.run(
        ["go", "build", "-trimpath", "-o", str(output), "."],
        cwd=source_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"chaincode build failed in {source_dir}:\n{proc.stderr.strip()[-3000:]}")
    digest = hashlib.sha256(output.read_bytes()).hexdigest()[:12]
    final = out_dir / f"{name}_{digest}"
    output.replace(final)
    return ChaincodeBinary(final, digest)


def collections_config(topology: Topology, spec: ChaincodeSpec | None = None) -> list[dict]:
    configs = []
    for collection in (spec or topology.chaincode).collections:
        members = [org.msp_id for role in collection.member_roles for org in topology.orgs_with_role(role)]
        policy = "OR(" + ", ".join(f"'{msp}.member'" for msp in sorted(set(members))) + ")"
        configs.append(
            {
                "name": collection.name,
                "policy": policy,
                "requiredPeerCount": collection.required_peer_count,
                "maxPeerCount": collection.max_peer_count,
                "blockToLive": collection.block_to_live,
                "memberOnlyRead": True,
                "memberOnlyWrite": True,
            }
        )
    return configs


def _tar_bytes(files: dict[str, bytes], gzip_level: int = 6) -> bytes:
    """A deterministic tar.gz (fixed mtimes and owners) so equal inputs give equal package ids."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=gzip_level) as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def package(
    layout: StateLayout, org: PeerOrg, label: str, placement: Placement = NATIVE, port: int | None = None
) -> ChaincodePackage:
    """Write the org's ccaas package: metadata.json + code.tar.gz holding connection.json.

    The address is where the org's peer dials its chaincode server: 127.0.0.1 natively, the chaincode
    container's host name under Compose. It is part of the package, so the package id differs too.
    """
    connection = {
        "address": placement.advertised(layout.chaincode_server_name(org), port or org.chaincode_server_port),
        "dial_timeout": "10s",
        "tls_required": True,
        "client_auth_required": False,
        "root_cert": (layout.chaincode_tls_dir(org) / "ca.crt").read_text(),
    }
    code = _tar_bytes({"connection.json": json.dumps(connection, indent=2).encode()})
    metadata = json.dumps({"type": "ccaas", "label": label}).encode()
    data = _tar_bytes({"metadata.json": metadata, "code.tar.gz": code})
    path = layout.chaincode / f"{label}-{org.key}.tar.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return ChaincodePackage(org.key, path, label, f"{label}:{hashlib.sha256(data).hexdigest()}")


def install(topology: Topology, layout: StateLayout, fabric: FabricInstall, packages: list[ChaincodePackage]) -> None:
    def install_one(pkg: ChaincodePackage) -> None:
        org = topology.peer_org(pkg.org_key)
        try:
            run_peer(topology, layout, fabric, org, ["lifecycle", "chaincode", "install", str(pkg.path)])
        except CommandError as err:
            if "already successfully installed" not in err.output:
                raise

    in_parallel(packages, install_one)


def query_committed(
    topology: Topology, layout: StateLayout, fabric: FabricInstall, spec: ChaincodeSpec | None = None
) -> CommittedDefinition | None:
    org = topology.peer_orgs[0]
    try:
        out = run_peer(
            topology,
            layout,
            fabric,
            org,
            [
                "lifecycle",
                "chaincode",
                "querycommitted",
                "-C",
                topology.channel_name,
                "-n",
                (spec or topology.chaincode).name,
            ],
        )
    except CommandError as err:
        if "not found" in err.output or "is not defined" in err.output:
            return None
        raise
    match = re.search(r"Version: ([^,]+), Sequence: (\d+)", out)
    if match is None:
        return None
    return CommittedDefinition(int(match.group(2)), match.group(1))


def collections_file(layout: StateLayout, spec: ChaincodeSpec) -> Path:
    """Where the collection config of a chaincode is written (the provenance contract's keeps its name)."""
    if spec.index == 0:
        return layout.chaincode / "collections_config.json"
    return layout.chaincode / f"{spec.name}-collections_config.json"


def _definition_args(
    topology: Topology, layout: StateLayout, version: str, sequence: int, spec: ChaincodeSpec | None = None
) -> list[str]:
    spec = spec or topology.chaincode
    args = [
        "--channelID",
        topology.channel_name,
        "--name",
        spec.name,
        "--version",
        version,
        "--sequence",
        str(sequence),
    ]
    if spec.collections:
        args += ["--collections-config", str(collections_file(layout, spec))]
    policy = endorsement.definition_policy(topology, layout, spec.endorsement_policy)
    if policy:
        args += ["--signature-policy", policy]
    return args


def approve(
    topology: Topology,
    layout: StateLayout,
    fabric: FabricInstall,
    packages: list[ChaincodePackage],
    version: str,
    sequence: int,
    spec: ChaincodeSpec | None = None,
) -> None:
    spec = spec or topology.chaincode
    layout.chaincode.mkdir(parents=True, exist_ok=True)
    collections_file(layout, spec).write_text(json.dumps(collections_config(topology, spec), indent=2))

    def approve_one(pkg: ChaincodePackage) -> None:
        org = topology.peer_org(pkg.org_key)
        run_peer(
            topology,
            layout,
            fabric,
            org,
            [
                "lifecycle",
                "chaincode",
                "approveformyorg",
                *orderer_tls_args(topology, layout),
                *_definition_args(topology, layout, version, sequence, spec),
                "--package-id",
                pkg.package_id,
                "--waitForEvent",
            ],
        )

    in_parallel(packages, approve_one)


def commit(
    topology: Topology,
    layout: StateLayout,
    fabric: FabricInstall,
    version: str,
    sequence: int,
    spec: ChaincodeSpec | None = None,
) -> None:
    peer_args: list[str] = []
    for org in topology.peer_orgs:
        peer_args += ["--peerAddresses", org.peer.address, "--tlsRootCertFiles", str(layout.peer_tls_ca(org))]
    run_peer(
        topology,
        layout,
        fabric,
        topology.peer_orgs[0],
        [
            "lifecycle",
            "chaincode",
            "commit",
            *orderer_tls_args(topology, layout),
            *_definition_args(topology, layout, version, sequence, spec),
            *peer_args,
            "--waitForEvent",
        ],
    )


def invoke(
    topology: Topology,
    layout: StateLayout,
    fabric: FabricInstall,
    org: PeerOrg,
    function: str,
    args: list[str],
    endorsers: list[PeerOrg] | None = None,
) -> str:
    """Submit one transaction as ``org``'s admin with the peer CLI (bootstrap data such as the role table)."""
    peer_args: list[str] = []
    for member in endorsers or topology.peer_orgs:
        peer_args += [
            "--peerAddresses",
            member.peer.address,
            "--tlsRootCertFiles",
            str(layout.peer_tls_ca(member)),
        ]
    ctor = json.dumps({"function": function, "Args": args})
    return run_peer(
        topology,
        layout,
        fabric,
        org,
        [
            "chaincode",
            "invoke",
            *orderer_tls_args(topology, layout),
            "-C",
            topology.channel_name,
            "-n",
            topology.chaincode.name,
            *peer_args,
            "-c",
            ctor,
            "--waitForEvent",
        ],
    )
