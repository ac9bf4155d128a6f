"""Snapshots of the whole network's ledgers, for an instant ``make reset`` between demos.

A snapshot is a copy of every orderer's and peer's data folder plus ``network.json`` (which chaincode
package each org runs), taken with all nodes stopped so the copy is consistent. Restoring it rewinds the
whole network to that moment: every node at the same height, the same chaincode definition.
Copies are sparse: Raft's write-ahead log preallocates 64 MB files that are mostly zeros.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from fabdemo.network import admin
from fabdemo.network.context import NetworkContext
from fabdemo.network.layout import StateLayout
from fabdemo.network.nodectl import NodeControl
from fabdemo.network.nodes import NodeKind, NodeSpec
from fabdemo.network.profile import write_connection_files
from fabdemo.network.state import NetworkError, NetworkState

Progress = Callable[[str], None]


class LedgerStore(Protocol):
    """Where the runtime keeps node data: folders under the state dir (native) or volumes (Compose)."""

    def save_ledgers(self, specs: list[NodeSpec], folder: Path) -> None: ...

    def load_ledgers(self, specs: list[NodeSpec], folder: Path) -> None: ...


def snapshot_dir(layout: StateLayout, name: str) -> Path:
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"invalid snapshot name {name!r}: use letters, digits, - and _")
    return layout.snapshots / name


def exists(layout: StateLayout, name: str) -> bool:
    return (snapshot_dir(layout, name) / "network.json").is_file()


def copy_tree(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["cp", "-a", "--sparse=always", str(source), str(target)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"copying {source} failed: {proc.stderr.strip()}")


def _ledger_nodes(specs: list[NodeSpec]) -> list[NodeSpec]:
    # A Fabric CA's registry (its SQLite database) rewinds with the ledgers: a revocation is both a CA
    # record and a channel config update, and the two must agree after a reset.
    return [s for s in specs if s.kind in (NodeKind.ORDERER, NodeKind.PEER, NodeKind.CA)]


class StateDirStore:
    def __init__(self, layout: StateLayout) -> None:
        self.layout = layout

    def save_ledgers(self, specs: list[NodeSpec], folder: Path) -> None:
        for spec in specs:
            copy_tree(self.layout.node_data(spec.name), folder / spec.name)

    def load_ledgers(self, specs: list[NodeSpec], folder: Path) -> None:
        for spec in specs:
            copy_tree(folder / spec.name, self.layout.node_data(spec.name))


def save(layout: StateLayout, specs: list[NodeSpec], name: str, store: LedgerStore | None = None) -> Path:
    """Copy every ledger and network.json (the nodes must be stopped).

    ``store`` is the runtime: it knows where node data lives (the state dir natively, named volumes
    under Compose); snapshots always land in the state dir.
    """
    store = store or StateDirStore(layout)
    target = snapshot_dir(layout, name)
    staging = target.with_name(f".{name}.partial")
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "nodes").mkdir(parents=True)
    store.save_ledgers(_ledger_nodes(specs), staging / "nodes")
    shutil.copyfile(layout.network_file, staging / "network.json")
    if target.exists():
        shutil.rmtree(target)
    staging.replace(target)  # a snapshot is complete or absent, never half written
    return target


def load(layout: StateLayout, specs: list[NodeSpec], name: str, store: LedgerStore | None = None) -> None:
    """Put the snapshot's ledgers and network.json back (the nodes must be stopped)."""
    store = store or StateDirStore(layout)
    source = snapshot_dir(layout, name)
    if not exists(layout, name):
        raise FileNotFoundError(f"no snapshot named {name!r} in {layout.snapshots}")
    store.load_ledgers(_ledger_nodes(specs), source / "nodes")
    shutil.copyfile(source / "network.json", layout.network_file)


class Snapshots:
    """Save and restore the whole network (``make snapshot`` / ``make reset``), nodes stopped meanwhile."""

    def __init__(self, ctx: NetworkContext, nodes: NodeControl) -> None:
        self.ctx = ctx
        self.nodes = nodes

    def exists(self, name: str) -> bool:
        return exists(self.ctx.layout, name)

    def save(self, name: str, progress: Progress) -> float:
        """Stop the network briefly, copy every ledger, start it again. Returns the seconds taken."""
        started = time.monotonic()
        specs = self.nodes.specs()
        self.nodes.stop_all(specs)
        try:
            save(self.ctx.layout, specs, name, self.ctx.runtime)
        finally:
            self.nodes.start_all(progress)
        return time.monotonic() - started

    def restore(self, name: str, progress: Progress) -> float:
        """Rewind the whole network to a snapshot (same ledgers, same chaincode). Returns seconds taken."""
        ctx = self.ctx
        if not exists(ctx.layout, name):
            raise NetworkError(f"no snapshot {name!r}: run `make demo` (it takes one after seeding)")
        started = time.monotonic()
        ctx.runtime.stop_all()  # including orgs that joined after the snapshot
        # The snapshot's own member orgs decide which ledgers come back (not the ones running now).
        taken = NetworkState.load(snapshot_dir(ctx.layout, name) / "network.json")
        specs = self.nodes.specs(ctx.base_topology.with_members(taken.joined_orgs), taken)
        load(ctx.layout, specs, name, ctx.runtime)  # network.json is the snapshot's from here on
        self._forget_nodes_not_in(specs)
        self.nodes.start_all(progress)
        return time.monotonic() - started

    def _forget_nodes_not_in(self, specs: list[NodeSpec]) -> None:
        """Delete folders of nodes the restored network does not have (an org that joined later)."""
        ctx = self.ctx
        wanted = {s.name for s in specs}
        for folder in ctx.layout.nodes.iterdir() if ctx.layout.nodes.exists() else []:
            if folder.name not in wanted:
                shutil.rmtree(folder)
                ctx.runtime.discard(folder.name)  # its container and volume, under Compose
        admin.write_env_files(ctx.topology, ctx.layout, ctx.fabric)
        write_connection_files(ctx.topology, ctx.layout)

    def mark_seeded(self) -> None:
        state = self.ctx.state
        state.seeded = True
        state.save(self.ctx.layout.network_file)
