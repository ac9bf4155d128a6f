"""Acting as an org admin with Fabric's own CLIs (peer, osnadmin).

The same environment that the kit uses to drive ``peer`` is written to ``.state/env/<org>.env`` so a
developer can ``source`` it and use the official CLI by hand against the org's peer.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from concurrent.futures import ThreadPoolExecutor

from fabdemo.network.binaries import FabricInstall
from fabdemo.network.layout import StateLayout
from fabdemo.network.topology import OrdererNode, PeerOrg, Topology
from fabdemo.waiting import wait_until


class CommandError(RuntimeError):
    def __init__(self, command: list[str], output: str) -> None:
        self.command = command
        self.output = output
        super().__init__(f"`{' '.join(command[:4])} ...` failed:\n{output.strip()[-2500:]}")


def org_admin_env(topology: Topology, layout: StateLayout, fabric: FabricInstall, org: PeerOrg) -> dict[str, str]:
    orderer = topology.orderer_org.nodes[0]
    return {
        "PATH": f"{fabric.bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "FABRIC_CFG_PATH": str(layout.cli_config),
        "CORE_PEER_TLS_ENABLED": "true",
        "CORE_PEER_LOCALMSPID": org.msp_id,
        "CORE_PEER_MSPCONFIGPATH": str(layout.admin_msp(org)),
        "CORE_PEER_ADDRESS": org.peer.address,
        "CORE_PEER_TLS_ROOTCERT_FILE": str(layout.peer_tls_ca(org)),
        "ORDERER_ADDRESS": orderer.address,
        "ORDERER_CA": str(layout.orderer_tls_ca(topology)),
        "CHANNEL_NAME": topology.channel_name,
        "CHAINCODE_NAME": topology.chaincode.name,
        # Keep the CLI to warnings: its gRPC connection chatter buries the answer otherwise.
        "FABRIC_LOGGING_SPEC": "warning",
    }


def write_env_files(topology: Topology, layout: StateLayout, fabric: FabricInstall) -> None:
    layout.env_dir.mkdir(parents=True, exist_ok=True)
    for org in topology.peer_orgs:
        env = org_admin_env(topology, layout, fabric, org)
        env["PATH"] = f"{fabric.bin_dir}:$PATH"
        lines = [
            f"# {org.name} ({org.msp_id}) admin against {org.peer.host} at {org.peer.address}.",
            "# Usage: source this file, then e.g.  peer channel getinfo -c $CHANNEL_NAME",
        ]
        for key, value in env.items():
            quoted = f'"{value}"' if key == "PATH" else shlex.quote(value)
            lines.append(f"export {key}={quoted}")
        layout.env_file(org).write_text("\n".join(lines) + "\n")


def run_peer(
    topology: Topology,
    layout: StateLayout,
    fabric: FabricInstall,
    org: PeerOrg,
    args: list[str],
    timeout: float = 120,
) -> str:
    env = {**os.environ, **org_admin_env(topology, layout, fabric, org)}
    command = [str(fabric.tool("peer")), *args]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise CommandError(command, proc.stderr + proc.stdout)
    # The peer CLI logs to stderr; several commands print their answer there too.
    return proc.stdout + proc.stderr


def orderer_tls_args(topology: Topology, layout: StateLayout, node: OrdererNode | None = None) -> list[str]:
    node = node or topology.orderer_org.nodes[0]
    return ["-o", node.address, "--tls", "--cafile", str(layout.orderer_tls_ca(topology))]


def osnadmin_join(topology: Topology, layout: StateLayout, fabric: FabricInstall, node: OrdererNode) -> str:
    admin_tls = layout.orderer_admin_tls(topology)
    command = [
        str(fabric.tool("osnadmin")),
        "channel",
        "join",
        "--channelID",
        topology.channel_name,
        "--config-block",
        str(layout.genesis_block),
        "-o",
        node.admin_address,
        "--ca-file",
        str(layout.orderer_tls_ca(topology)),
        "--client-cert",
        str(admin_tls / "client.crt"),
        "--client-key",
        str(admin_tls / "client.key"),
    ]
    # The admin listener can come up a moment after /healthz answers: retry refused connections briefly.
    outputs: list[str] = []

    def joined() -> bool:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        outputs.append(proc.stdout + proc.stderr)
        if proc.returncode == 0 and "Status: 201" in outputs[-1]:
            return True
        if "connection refused" not in outputs[-1]:
            raise CommandError(command, outputs[-1])
        return False

    try:
        wait_until(joined, 15, interval=0.1, what=f"{node.host} to accept the channel join")
    except TimeoutError:
        raise CommandError(command, outputs[-1]) from None
    return outputs[-1]


def in_parallel(items: list, work) -> list:
    """Run ``work(item)`` for every item at once (CLI calls are I/O bound) and return results in order."""
    with ThreadPoolExecutor(max_workers=max(1, len(items))) as pool:
        return list(pool.map(work, items))
