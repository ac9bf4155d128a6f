"""The machine a POC ran on: a verdict means little without cores, CPU model, kernel, Fabric and runtime."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

from fabdemo.network.manager import FabricNetwork


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def describe(network: FabricNetwork) -> dict[str, Any]:
    topology = network.topology
    return {
        "cores": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": _memory_gb(),
        "kernel": platform.release(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "fabric_version": topology.fabric.version,
        "runtime": type(network.runtime).__name__.removesuffix("Runtime").lower() or type(network.runtime).__name__,
        "orgs": [org.msp_id for org in topology.peer_orgs],
        "nodes": len(network.nodes.specs()),
        "batch_profile": network.state.batch_profile if hasattr(network.state, "batch_profile") else None,
    }
