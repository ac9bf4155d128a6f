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

from fabdemo.network.layout import StateLayout
from fabdemo.network.nodes import NodeKind, NodeSpec


def snapshot_dir(layout: StateLayout, name: str) -> Path:
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"invalid snapshot name {name!r}: use letters, digits, - and _")
    return layout.snapshots / name


def exists(layout: StateLayout, name: str) -> bool:
    return (snapshot_dir(layout, name) / "network.json").is_file()


def _copy_tree(source: Path, target: Path) -> None:
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


def save(layout: StateLayout, specs: list[NodeSpec], name: str) -> Path:
    """Copy every ledger folder and network.json (the nodes must be stopped)."""
    target = snapshot_dir(layout, name)
    staging = target.with_name(f".{name}.partial")
    if staging.exists():
        shutil.rmtree(staging)
    for spec in _ledger_nodes(specs):
        _copy_tree(layout.node_data(spec.name), staging / "nodes" / spec.name)
    shutil.copyfile(layout.network_file, staging / "network.json")
    if target.exists():
        shutil.rmtree(target)
    staging.replace(target)  # a snapshot is complete or absent, never half written
    return target


def load(layout: StateLayout, specs: list[NodeSpec], name: str) -> None:
    """Put the snapshot's ledger folders and network.json back (the nodes must be stopped)."""
    source = snapshot_dir(layout, name)
    if not exists(layout, name):
        raise FileNotFoundError(f"no snapshot named {name!r} in {layout.snapshots}")
    for spec in _ledger_nodes(specs):
        _copy_tree(source / "nodes" / spec.name, layout.node_data(spec.name))
    shutil.copyfile(source / "network.json", layout.network_file)
