"""``FabricNetwork``: the one network object of a process, a thin facade over the parts by concern.

    bootstrap.py   up from nothing (or resume), down
    lifecycle.py   build, install, approve, commit the chaincode (``make deploy-cc``)
    ccdeploy.py    the topology's other chaincodes, any language (``make deploy-cc NAME=...``, ``cc-watch``)
    consortium.py  add or remove a partner org on the live channel
    snapshot.py    save and restore every ledger (``make reset``)
    nodectl.py     the nodes as objects: start, stop, status, cluster-wide waits

Each part receives the process's one :class:`~fabdemo.network.context.NetworkContext`; the CLI, the web
app, the storyboards, the benchmarks and the tests all drive the network through this facade, and
reach single nodes through ``network.nodes`` (start, stop, status, leader, waits).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fabdemo.network.binaries import FabricInstall
from fabdemo.network.bootstrap import Bootstrap
from fabdemo.network.ccdeploy import ChaincodeDeployer
from fabdemo.network.consortium import Consortium
from fabdemo.network.context import NetworkContext
from fabdemo.network.layout import StateLayout
from fabdemo.network.lifecycle import ChaincodeLifecycle
from fabdemo.network.nodectl import NodeControl
from fabdemo.network.snapshot import Snapshots
from fabdemo.network.state import NetworkError, NetworkState, NodeStatus
from fabdemo.network.topology import Topology
from fabdemo.runtime.base import Runtime

__all__ = ["FabricNetwork", "NetworkError", "NetworkState", "NodeStatus"]

Progress = Callable[[str], None]


class FabricNetwork:
    def __init__(self, ctx: NetworkContext) -> None:
        self.ctx = ctx
        self.nodes = NodeControl(ctx)
        self.lifecycle = ChaincodeLifecycle(ctx, self.nodes)
        self.bootstrap = Bootstrap(ctx, self.nodes, self.lifecycle)
        self.consortium = Consortium(ctx, self.nodes, self.lifecycle)
        self.snapshots = Snapshots(ctx, self.nodes)
        self.chaincodes = ChaincodeDeployer(ctx, self.nodes)

    # -- what it is ------------------------------------------------------------------------------------
    @property
    def topology(self) -> Topology:
        """The channel's members now (orgs onboarded later included), derived from network.json."""
        return self.ctx.topology

    @property
    def base_topology(self) -> Topology:
        return self.ctx.base_topology

    @property
    def layout(self) -> StateLayout:
        return self.ctx.layout

    @property
    def fabric(self) -> FabricInstall:
        return self.ctx.fabric

    @property
    def runtime(self) -> Runtime:
        return self.ctx.runtime

    @property
    def state(self) -> NetworkState:
        return self.ctx.state

    def is_bootstrapped(self) -> bool:
        return self.ctx.state.bootstrapped

    # -- the actions users name ----------------------------------------------------------------------------
    def up(self, progress: Progress, batch_profile: str | None = None) -> str:
        return self.bootstrap.up(progress, batch_profile)

    def down(self, progress: Progress) -> None:
        self.bootstrap.down(progress)

    def lifecycle_build(self) -> Any:
        """Build the provenance contract (to compare with the deployed build)."""
        from fabdemo.network.lifecycle import build

        return build(self.ctx)

    def deploy_chaincode(self, progress: Progress, source: Path | None = None) -> dict[str, Any]:
        return self.lifecycle.redeploy(progress, source)

    def add_org(self, key: str, progress: Progress) -> str:
        return self.consortium.add_org(key, progress)

    def remove_org(self, key: str, progress: Progress) -> str:
        return self.consortium.remove_org(key, progress)

    def save_snapshot(self, name: str, progress: Progress) -> float:
        return self.snapshots.save(name, progress)

    def restore_snapshot(self, name: str, progress: Progress) -> float:
        return self.snapshots.restore(name, progress)

    def has_snapshot(self, name: str) -> bool:
        return self.snapshots.exists(name)

    def mark_seeded(self) -> None:
        self.snapshots.mark_seeded()

    def status(self) -> list[NodeStatus]:
        return self.nodes.status()
