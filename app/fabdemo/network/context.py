"""The network context: everything a process needs to know about the one network it works on.

A process (the CLI, the web app, a benchmark, a test session) builds exactly one ``NetworkContext`` in
its composition root (:func:`fabdemo.context.build_context`) and hands it down. Nothing below re-reads
topology.yaml: the channel members are derived from ``network.json`` whenever they are asked for, so an
org that a storyboard onboarded is seen at once by the status view, the gateways and the CLI alike.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from fabdemo.network.binaries import FabricCAInstall, FabricInstall
from fabdemo.network.layout import StateLayout
from fabdemo.network.placement import Placement
from fabdemo.network.state import NetworkState
from fabdemo.network.topology import Topology
from fabdemo.runtime.base import Runtime


@dataclass
class NetworkContext:
    base_topology: Topology  # as topology.yaml declares it: joinable orgs are not members yet
    layout: StateLayout
    fabric: FabricInstall
    runtime: Runtime
    chaincode_source: Path
    builders_dir: Path
    # The Fabric CA binaries, present only when the network uses CA identities (IDENTITIES=ca).
    fabric_ca: FabricCAInstall | None = None
    # Cache of the derived topology, keyed by network.json's (mtime, size): reading it per call is
    # cheap, but the status view and the gateways ask many times a second.
    _members: tuple[tuple[int, int] | None, Topology] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def placement(self) -> Placement:
        """Addresses and paths as the nodes see them (loopback natively, host names in containers)."""
        return self.runtime.placement

    @property
    def state(self) -> NetworkState:
        return NetworkState.load(self.layout.network_file)

    @property
    def topology(self) -> Topology:
        """The topology with the orgs that joined later (``make add-org``) as channel members."""
        try:
            info = self.layout.network_file.stat()
            key: tuple[int, int] | None = (info.st_mtime_ns, info.st_size)
        except FileNotFoundError:
            key = None
        with self._lock:
            if self._members is None or self._members[0] != key:
                joined = self.state.joined_orgs if key else []
                self._members = (key, self.base_topology.with_members(joined))
            return self._members[1]
