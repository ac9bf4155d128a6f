"""The composition root of every process: settings -> one NetworkContext -> one FabricNetwork.

The CLI, the web app, the benchmarks and the test sessions each call :func:`open_network` (or
:func:`build_context`) once and hand the result down; nothing else reads topology.yaml or picks a
runtime.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fabdemo.network import binaries
from fabdemo.network.context import NetworkContext
from fabdemo.network.layout import StateLayout
from fabdemo.network.manager import FabricNetwork
from fabdemo.network.state import NetworkError, NetworkState
from fabdemo.network.topology import Topology, load_topology
from fabdemo.runtime.base import Runtime
from fabdemo.runtime.native import NativeRuntime
from fabdemo.settings import Settings, get_settings

RUNTIMES = ("native", "compose")


def _quiet(_message: str) -> None:
    pass


def load(settings: Settings | None = None) -> tuple[Settings, Topology, StateLayout]:
    """Settings, topology and state layout only: for commands that start nothing (``make env``, doctor)."""
    settings = settings or get_settings()
    layout = StateLayout(settings.state_dir)
    topology = load_topology(
        settings.topology_file,
        settings.port_offset,
        dial_by_name=settings.inside_compose,
        consensus=choose_consensus(settings, layout),
        identities=choose_identities(settings, layout),
    )
    return settings, topology, layout


def choose_identities(settings: Settings, layout: StateLayout) -> str | None:
    """Where identities come from: the existing network's (network.json), else ``IDENTITIES``, else the file's.

    Every certificate of a network comes from one source, so a running network cannot switch.
    """
    return _recorded_choice(settings.identities, layout, "identities", "uses {} identities", "IDENTITIES")


def choose_consensus(settings: Settings, layout: StateLayout) -> str | None:
    """The ordering service: the existing network's (network.json), else ``CONSENSUS``, else topology.yaml's.

    Raft and BFT run different orderer sets and genesis blocks, so a running network cannot switch.
    """
    return _recorded_choice(settings.consensus, layout, "consensus", "runs {} consensus", "CONSENSUS")


def _recorded_choice(asked: str | None, layout: StateLayout, field: str, running: str, variable: str) -> str | None:
    """A choice fixed when the network was created: what network.json recorded wins; asking otherwise is refused.

    With no network yet, the setting asked for (None: the topology file decides).
    """
    wanted = (asked or "").strip().lower() or None
    if not layout.network_file.is_file():
        return wanted
    recorded = getattr(NetworkState.load(layout.network_file), field)
    if wanted not in (None, recorded):
        raise NetworkError(
            f"the network in {layout.root} {running.format(recorded)}; take it down first with `make down`, "
            f"then start it with {variable}={wanted}"
        )
    return recorded


def choose_runtime(settings: Settings, layout: StateLayout) -> tuple[str, str]:
    """The runtime's name and why it was chosen.

    A network that exists keeps the runtime it was started with (recorded in network.json); otherwise
    ``RUNTIME`` decides, and "auto" picks Compose when a Docker engine and a Compose CLI are reachable.
    """
    wanted = settings.runtime.strip().lower() or "auto"
    if wanted not in (*RUNTIMES, "auto"):
        raise NetworkError(f"unknown RUNTIME={settings.runtime!r}; use native, compose or auto")
    recorded = NetworkState.load(layout.network_file).runtime if layout.network_file.is_file() else None
    if recorded:
        if wanted not in ("auto", recorded):
            raise NetworkError(
                f"the network in {layout.root} runs on the {recorded} runtime; take it down first with "
                f"`make down RUNTIME={recorded}`, then start it with RUNTIME={wanted}"
            )
        return recorded, "the existing network's runtime"
    if wanted != "auto":
        return wanted, f"RUNTIME={wanted}"
    from fabdemo.runtime.compose_project import unavailable_reason

    problem = unavailable_reason()
    if problem is None:
        return "compose", "a Docker engine is reachable; RUNTIME=native to run without Docker"
    return "native", f"{problem}; RUNTIME=compose to require Docker"


def make_runtime(
    name: str, settings: Settings, topology: Topology, layout: StateLayout, progress: Callable[[str], None] = _quiet
) -> Runtime:
    if name == "compose":
        from fabdemo.runtime.compose import ComposeRuntime

        return ComposeRuntime(settings, topology, layout, progress)
    return NativeRuntime(layout)


def build_context(
    settings: Settings | None = None, progress: Callable[[str], None] = _quiet, *, chaincode_source: Path | None = None
) -> NetworkContext:
    """The network context of this checkout; builds missing Fabric binaries first (with progress).

    ``chaincode_source`` replaces the kit's chaincode folder (the benchmark edits a copy).
    """
    settings, topology, layout = load(settings)
    if settings.inside_compose:
        # The app container drives nodes through the Docker API only; the Fabric CLIs (bootstrap,
        # lifecycle) run on the host.
        fabric = binaries.FabricInstall(settings.fabric_bin or Path("/usr/local/bin"), Path("/nonexistent"), "none")
    else:
        fabric = binaries.ensure(settings.cache_dir, topology.fabric, settings.fabric_bin, progress)
    fabric_ca = None
    if topology.uses_ca and topology.fabric_ca is not None:
        if settings.inside_compose:
            # The app container's identity service runs the host's fabric-ca-client, mounted into it
            # (FABRIC_CA_BIN, docker-compose.yaml); nothing is built in here.
            fabric_ca = binaries.locate_ca(settings.cache_dir, topology.fabric_ca, settings.fabric_ca_bin)
        else:
            # Only a network with CA identities pays for the Fabric CA build.
            fabric_ca = binaries.ensure_ca(settings.cache_dir, topology.fabric_ca, settings.fabric_ca_bin, progress)
    name, reason = choose_runtime(settings, layout)
    runtime = make_runtime(name, settings, topology, layout, progress)
    progress(f"Runtime: {runtime.describe()} ({reason})")
    return NetworkContext(
        base_topology=topology,
        layout=layout,
        fabric=fabric,
        runtime=runtime,
        chaincode_source=chaincode_source or settings.chaincode_dir,
        builders_dir=settings.builders_dir,
        fabric_ca=fabric_ca,
    )


def open_network(
    settings: Settings | None = None, progress: Callable[[str], None] = _quiet, *, chaincode_source: Path | None = None
) -> FabricNetwork:
    """The one network object of this process (see :func:`build_context`)."""
    return FabricNetwork(build_context(settings, progress, chaincode_source=chaincode_source))
