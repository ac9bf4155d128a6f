"""Snapshots of the whole network's ledgers, for an instant ``make reset`` between demos.

A snapshot is a copy of every orderer's and peer's data folder plus ``network.json`` (which chaincode
package each org runs), taken with all nodes stopped so the copy is consistent. Restoring it rewinds the
whole network to that moment: every node at the same height, the same chaincode definition.
Copies are sparse: Raft's write-ahead log preallocates 64 MB files that are mostly zeros.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Protocol

from fabdemo.network.layout import StateLayout
from fabdemo.network.nodes import NodeKind, NodeSpec


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
    return [s for s in specs if s.kind in (NodeKind.ORDERER, NodeKind.PEER)]


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
