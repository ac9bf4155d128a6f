"""Wiring: build the network object (topology, state layout, binaries, runtime) from settings."""

from __future__ import annotations

from collections.abc import Callable

from fabdemo.network import binaries
from fabdemo.network.layout import StateLayout
from fabdemo.network.manager import FabricNetwork
from fabdemo.network.topology import Topology, load_topology
from fabdemo.runtime.native import NativeRuntime
from fabdemo.settings import Settings, get_settings


def _quiet(_message: str) -> None:
    pass


def load(settings: Settings | None = None) -> tuple[Settings, Topology, StateLayout]:
    settings = settings or get_settings()
    return (
        settings,
        load_topology(settings.topology_file, settings.port_offset),
        StateLayout(settings.state_dir),
    )


def open_network(settings: Settings | None = None, progress: Callable[[str], None] = _quiet) -> FabricNetwork:
    """The network of this checkout; builds missing Fabric binaries first (with progress)."""
    settings, topology, layout = load(settings)
    fabric = binaries.ensure(settings.cache_dir, topology.fabric, settings.fabric_bin, progress)
    return FabricNetwork(
        topology=topology,
        layout=layout,
        fabric=fabric,
        runtime=NativeRuntime(layout),
        chaincode_source=settings.chaincode_dir,
        builders_dir=settings.builders_dir,
    )
