"""The runtime interface: how node specs become running nodes.

Two implementations are planned: native processes on 127.0.0.1 (``native.py``) and Docker Compose.
Everything above this layer (bootstrap, chaincode lifecycle, storyboards) is the same for both.
"""

from __future__ import annotations

from typing import Protocol

from fabdemo.network.nodes import NodeSpec


class Runtime(Protocol):
    name: str

    def start(self, spec: NodeSpec) -> None:
        """Start the node (no-op if it already runs)."""

    def stop(self, spec: NodeSpec) -> bool:
        """Stop the node; True if it was running."""

    def is_running(self, spec: NodeSpec) -> bool: ...

    def pid(self, spec: NodeSpec) -> int | None: ...

    def log_file(self, spec: NodeSpec) -> str | None: ...
