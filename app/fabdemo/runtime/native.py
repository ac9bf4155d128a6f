"""Native runtime: every node a local process bound to 127.0.0.1, its pid and log file recorded."""

from __future__ import annotations

from fabdemo.network.layout import StateLayout
from fabdemo.network.nodes import NodeSpec
from fabdemo.runtime import processes


class NativeRuntime:
    name = "native"

    def __init__(self, layout: StateLayout) -> None:
        self.layout = layout

    def start(self, spec: NodeSpec) -> None:
        pid_file = self.layout.node_pid(spec.name)
        if processes.running_record(pid_file) is not None:
            return
        pid_file.parent.mkdir(parents=True, exist_ok=True)
        processes.start(list(spec.command), spec.env, spec.cwd, self.layout.node_log(spec.name), pid_file)

    def stop(self, spec: NodeSpec) -> bool:
        return processes.stop(self.layout.node_pid(spec.name))

    def is_running(self, spec: NodeSpec) -> bool:
        return processes.running_record(self.layout.node_pid(spec.name)) is not None

    def pid(self, spec: NodeSpec) -> int | None:
        record = processes.running_record(self.layout.node_pid(spec.name))
        return record.pid if record else None

    def log_file(self, spec: NodeSpec) -> str | None:
        return str(self.layout.node_log(spec.name))
