"""Own chaincode, per language (Go, TypeScript, Java): how long a developer waits.

On a network of its own (the bench's state folder, its own topology copy and ports), for each language:

- ``scaffold_to_first_commit_s``: ``cc-new`` -> ``deploy-cc`` -> the first ``CreateAsset`` committed
  (the first TypeScript build includes ``npm ci``, the first Java one Maven; both caches are outside the
  work tree, ~/.npm and ~/.m2, so only a machine's very first run downloads)
- ``deploy_after_one_line_change_s``: edit one line, ``deploy-cc`` (build, install, approve, commit the
  next sequence, swap the servers)
- ``hot_reload_s``: edit one line, rebuild and restart every org's server under the same definition

``python -m fabdemo.bench.cc_bench`` runs it alone (``make bench-cc``); ``make bench`` includes it.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from fabdemo import context
from fabdemo.ccdev.scaffold import scaffold
from fabdemo.connections import connect_org
from fabdemo.network.manager import FabricNetwork
from fabdemo.settings import Settings, get_settings

CC_BENCH_PORT_OFFSET = 13100
LANGUAGES = ("go", "typescript", "java")
CONTRACT_FILE = {
    "go": "contract.go",
    "typescript": "src/assetContract.ts",
    "java": "src/main/java/kit/AssetContract.java",
}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _first_commit(network: FabricNetwork, name: str) -> None:
    topology = network.topology
    gateway = connect_org(topology, network.layout, topology.peer_orgs[0])
    try:
        contract = gateway.get_network(topology.channel_name).get_contract(name)
        contract.submit_transaction("CreateAsset", "B1", "Bench", "FarmMSP", "1")
    finally:
        gateway.close()


def measure(settings: Settings, log: Callable[[str], None], work: Path | None = None) -> dict:
    work = work or settings.repo_root / ".bench" / "cc"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    topology_file = work / "topology.yaml"
    topology_file.write_text(settings.topology_file.read_text())
    network_settings = Settings(
        state_dir=work / "state",
        port_offset=CC_BENCH_PORT_OFFSET,
        topology_file=topology_file,
        runtime="native",
        fabric_bin=settings.fabric_bin,
        cache_dir=settings.cache_dir,
    )
    network = context.open_network(network_settings)
    network.down(lambda _m: None)
    network.up(lambda _m: None)
    results: dict = {"runtime": "native", "languages": {}}
    try:
        for language in LANGUAGES:
            name = f"bench-{language}"
            log(f"own chaincode ({language}): scaffold, deploy, first commit")
            started = time.monotonic()
            project = work / name
            scaffold(name, language, project, topology_file, settings.repo_root)
            network = context.open_network(network_settings)  # the topology now lists it
            network.chaincodes.deploy(name, lambda _m: None)
            _first_commit(network, name)
            first = time.monotonic() - started

            source = project / CONTRACT_FILE[language]
            _edit(source, "does not exist", "is not on the ledger")
            started = time.monotonic()
            network.chaincodes.deploy(name, lambda _m: None)
            redeploy = time.monotonic() - started

            _edit(source, "is not on the ledger", "is unknown")
            reload = network.chaincodes.reload(name, log)
            results["languages"][language] = {
                "scaffold_to_first_commit_s": round(first, 2),
                "deploy_after_one_line_change_s": round(redeploy, 2),
                "hot_reload_s": round(reload.seconds, 2),
            }
            log(f"own chaincode ({language}): {json.dumps(results['languages'][language])}")
    finally:
        network.down(lambda _m: None)
    return results


def main() -> int:
    figures = measure(get_settings(), lambda m: print(f"[bench] {m}", file=sys.stderr, flush=True))
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
