"""The runtime interface: how node specs become running nodes.

Two implementations: native processes on 127.0.0.1 (``native.py``) and Docker Compose (``compose.py``).
Everything above this layer (bootstrap, chaincode lifecycle, snapshots, storyboards) is the same for
both; what differs is only here and in the runtime's ``Placement`` (addresses and paths as the nodes
see them).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from fabdemo.network.chaincode import ChaincodeBinary
from fabdemo.network.nodeconfig import CouchDB
from fabdemo.network.nodes import NodeSpec
from fabdemo.network.placement import Placement
from fabdemo.network.topology import PeerOrg


class Runtime(Protocol):
    name: str
    placement: Placement

    def describe(self) -> str:
        """One line for the user: which runtime, and what it runs on."""

    def start(self, spec: NodeSpec) -> None:
        """Start the node (no-op if it already runs)."""

    def start_many(self, specs: Iterable[NodeSpec]) -> None:
        """Start several nodes at once (no-op for those already running)."""

    def stop(self, spec: NodeSpec) -> bool:
        """Stop the node; True if it was running. Its data stays."""

    def is_running(self, spec: NodeSpec) -> bool: ...

    def pid(self, spec: NodeSpec) -> int | None: ...

    def container_id(self, spec: NodeSpec) -> str | None:
        """The node's container (Compose), None for a plain process."""

    def log_file(self, spec: NodeSpec) -> str | None:
        """Where to read the node's log: a file, or the command that shows it."""

    def stop_all(self) -> int:
        """Stop every node this state directory's network runs, also ones no spec names any more."""

    def teardown(self) -> int:
        """Stop everything and remove what the runtime created besides the state dir (containers,
        networks, volumes). Returns how many nodes were running."""

    def build_chaincode(self, source_dir: Path, out_dir: Path, name: str) -> ChaincodeBinary:
        """Build the chaincode server; the hash names the package label and the version."""

    def couchdb(self, org: PeerOrg) -> CouchDB | None:
        """The org's CouchDB state database, or None for LevelDB (the default)."""

    def discard(self, name: str) -> None:
        """Remove what the runtime keeps for a node outside the state dir (its container and volume)."""

    def save_ledgers(self, specs: list[NodeSpec], folder: Path) -> None:
        """Copy the data of the (stopped) nodes into ``folder/<node name>``."""

    def load_ledgers(self, specs: list[NodeSpec], folder: Path) -> None:
        """Replace the data of the (stopped) nodes with ``folder/<node name>``."""
