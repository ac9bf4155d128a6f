"""Run the same workload with the official Node client (``@hyperledger/fabric-gateway``).

The Node packages are installed by the benchmark itself into the kit's cache folder (not a dependency
of the kit); the script and its pinned package.json live beside this module.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from fabdemo.network.layout import StateLayout
from fabdemo.network.topology import PeerOrg, Topology

HERE = Path(__file__).resolve().parent / "node"


def install(cache_dir: Path) -> Path:
    """Install the pinned Node client into ``<cache>/node-bench`` (idempotent) and return that folder."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise RuntimeError("Node.js 18+ with npm is needed for the Node client comparison")
    target = cache_dir / "node-bench"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "bench.mjs"):
        shutil.copyfile(HERE / name, target / name)
    installed = target / "node_modules" / "@hyperledger" / "fabric-gateway" / "package.json"
    stamp = target / ".installed-package.json"
    if not installed.is_file() or not stamp.is_file() or stamp.read_text() != (HERE / "package.json").read_text():
        proc = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=target,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"npm install of the Node client failed:\n{proc.stderr[-2000:]}")
        stamp.write_text((HERE / "package.json").read_text())
    return target


def run(
    cache_dir: Path, topology: Topology, layout: StateLayout, org: PeerOrg, levels: list[dict], prefix: str
) -> list[dict]:
    folder = install(cache_dir)
    msp = layout.user_msp(org)
    config = {
        "endpoint": org.peer.address,
        "serverName": org.peer.host,
        "tlsRootCertPath": str(layout.peer_tls_ca(org)),
        "mspId": org.msp_id,
        "certPath": str(next((msp / "signcerts").iterdir())),
        "keyPath": str(next((msp / "keystore").iterdir())),
        "channel": topology.channel_name,
        "chaincode": topology.chaincode.name,
        "levels": levels,
        "prefix": prefix,
    }
    config_file = folder / "config.json"
    config_file.write_text(json.dumps(config))
    proc = subprocess.run(
        ["node", "bench.mjs", str(config_file)], cwd=folder, capture_output=True, text=True, timeout=1800, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Node client benchmark failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
