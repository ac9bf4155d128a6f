"""Native runtime: every node a local process bound to 127.0.0.1, its pid and log file recorded."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fabdemo.network import chaincode as cc
from fabdemo.network import snapshot
from fabdemo.network.layout import StateLayout
from fabdemo.network.nodeconfig import CouchDB
from fabdemo.network.nodes import NodeSpec
from fabdemo.network.placement import NATIVE
from fabdemo.network.topology import PeerOrg
from fabdemo.runtime import processes


class NativeRuntime:
    name = "native"
    placement = NATIVE

    def __init__(self, layout: StateLayout) -> None:
        self.layout = layout

    def describe(self) -> str:
        return "native (every node a local process on 127.0.0.1)"

    def start(self, spec: NodeSpec) -> None:
        pid_file = self.layout.node_pid(spec.name)
        if processes.running_record(pid_file) is not None:
            return
        pid_file.parent.mkdir(parents=True, exist_ok=True)
        processes.start(list(spec.command), spec.env, spec.cwd, self.layout.node_log(spec.name), pid_file)

    def start_many(self, specs: Iterable[NodeSpec]) -> None:
        for spec in specs:
            self.start(spec)

    def stop(self, spec: NodeSpec) -> bool:
        return processes.stop(self.layout.node_pid(spec.name))

    def is_running(self, spec: NodeSpec) -> bool:
        return processes.running_record(self.layout.node_pid(spec.name)) is not None

    def pid(self, spec: NodeSpec) -> int | None:
        record = processes.running_record(self.layout.node_pid(spec.name))
        return record.pid if record else None

    def container_id(self, spec: NodeSpec) -> str | None:
        return None

    def log_file(self, spec: NodeSpec) -> str | None:
        return str(self.layout.node_log(spec.name))

    def stop_all(self) -> int:
        """Stop every process that has a pid file under the state dir, chaincode servers first."""
        from fabdemo.network.admin import in_parallel

        if not self.layout.nodes.exists():
            return 0
        pid_files = sorted(self.layout.nodes.glob("*/node.pid"), key=lambda p: not p.parent.name.startswith("ccaas"))
        stopped = in_parallel(pid_files, processes.stop) if pid_files else []
        return sum(1 for s in stopped if s)

    def teardown(self) -> int:
        return self.stop_all()

    def build_chaincode(self, source_dir: Path, out_dir: Path, name: str) -> cc.ChaincodeBinary:
        return cc.build_binary(source_dir, out_dir, name)

    def couchdb(self, org: PeerOrg) -> CouchDB | None:
        return None

    def discard(self, name: str) -> None:
        pass  # a native node is its folder in the state dir, which the caller removes

    def save_ledgers(self, specs: list[NodeSpec], folder: Path) -> None:
        snapshot.StateDirStore(self.layout).save_ledgers(specs, folder)

    def load_ledgers(self, specs: list[NodeSpec], folder: Path) -> None:
        snapshot.StateDirStore(self.layout).load_ledgers(specs, folder)
