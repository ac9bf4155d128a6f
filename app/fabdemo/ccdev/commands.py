"""What ``make deploy-cc``, ``cc-new``, ``cc-watch`` and ``cc-client`` do, for the CLI.

Each returns the process exit code and prints a one-line reason on a user error (a contract that does
not compile prints the compiler's output, which is the useful part).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from fabdemo.ccdev.scaffold import ScaffoldError, scaffold
from fabdemo.network import ccbuild
from fabdemo.network.ccdeploy import DefinitionRefused
from fabdemo.network.manager import FabricNetwork
from fabdemo.settings import get_settings
from fabric_gateway import GatewayError

Progress = Callable[[str], None]


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def deploy_cc(network: FabricNetwork, name: str | None, progress: Progress) -> int:
    """One chaincode by name (next sequence), or every one whose build changed."""
    started = time.monotonic()
    try:
        if name and name != network.base_topology.chaincode.name:
            result = network.chaincodes.deploy(name, progress)
            assert result is not None
            print(f"Deployed {name} {result['version']} in {time.monotonic() - started:.1f}s.")
            return 0
        if name or _provenance_changed(network, progress):
            result = network.deploy_chaincode(progress)
            print(f"Redeployed {result['name']} {result['version']} in {time.monotonic() - started:.1f}s.")
        if name:
            return 0
        done = network.chaincodes.deploy_changed(progress)
        for entry in done:
            print(f"Deployed {entry['name']} {entry['version']}.")
        print(f"Done in {time.monotonic() - started:.1f}s.")
        return 0
    except ccbuild.ChaincodeBuildError as err:
        return _fail(f"{err}\nThe running network is unchanged.")
    except DefinitionRefused as err:
        return _fail(str(err))


def _provenance_changed(network: FabricNetwork, progress: Progress) -> bool:
    deployed = network.state.chaincode.get("label", "")
    progress(f"Building {network.base_topology.chaincode.name}")
    binary = network.lifecycle_build()
    if deployed.endswith(f"_{binary.hash}"):
        progress(f"{network.base_topology.chaincode.name} unchanged (build {binary.hash})")
        return False
    return True


def cc_new(name: str, language: str, directory: str | None, progress: Progress) -> int:
    settings = get_settings()
    target = Path(directory) if directory else settings.repo_root / "chaincodes" / name
    try:
        result = scaffold(name, language, target, settings.topology_file, settings.repo_root)
    except ScaffoldError as err:
        return _fail(str(err))
    progress(f"Wrote a {result.language} asset contract {result.name!r} in {result.directory}")
    progress(result.hint)
    return 0


def cc_watch(network: FabricNetwork, name: str, progress: Progress) -> int:
    from fabdemo.ccdev.watch import watch

    try:
        watch(network.chaincodes, name, progress)
    except KeyboardInterrupt:
        progress("Stopped watching.")
    return 0


def cc_client(network: FabricNetwork, name: str, out: str | None, progress: Progress) -> int:
    from fabdemo.ccdev.clientgen import write_client

    deployed = [network.state.chaincode.get("name"), *network.state.chaincodes]
    if name not in deployed:
        return _fail(f"{name} is not deployed; deployed: {', '.join(d for d in deployed if d)}")
    path = Path(out) if out else Path(f"{name.replace('-', '_')}_client.py")
    try:
        write_client(network, name, path)
    except GatewayError as err:
        return _fail(f"cannot read the metadata of {name}: {err}")
    progress(f"Wrote {path}: one method per transaction of {name} (from its metadata)")
    return 0
