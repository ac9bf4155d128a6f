"""Capacity: CPU milliseconds per transaction by node kind in the steady state, and a labelled projection.

The CPU time each process was scheduled for (:class:`fabdemo.bench.resources.ResourceWindow`) does not
depend on how long it waited for one of this laptop's two cores, so it carries over to other machines
far better than the wall-clock TPS does. From it the report projects a throughput for ``C`` cores per
node, assuming each node on a machine of its own:

    projected TPS(C) = min over the nodes i of  C x 1000 / cpu_ms_per_tx(i)

It is a projection, and says so: it assumes CPU is the limit and that a node's work spreads over its
cores; it ignores network round trips, disk writes, the orderer's batch timeout and Raft, which set a
ceiling of their own.
"""

from __future__ import annotations

from typing import Any

from fabdemo.bench.resources import CLIENT_KIND, ResourceWindow

FORMULA = "TPS(C) = min over nodes i of C × 1000 / cpu_ms_per_tx(i)"
ASSUMPTIONS_EN = (
    "Projection, not a measurement: each node on a machine of its own with C cores, CPU the only limit, "
    "work spread over the cores; network latency, disk, batch timeout and Raft are ignored. CPU per "
    "transaction falls as blocks fill up, so it holds for loads near the one it was measured at."
)
ASSUMPTIONS_ZH = (
    "这是推算，不是实测：假设每个节点独占一台 C 核机器、CPU 是唯一瓶颈且工作可分摊到各核；"
    "未计网络延迟、磁盘、出块超时与 Raft。区块越满，每笔交易的 CPU 越少，因此推算只适用于与测量时相近的负载。"
)


def capacity(window: ResourceWindow, transactions: int, seconds: float, cores: list[int]) -> dict[str, Any]:
    per_process = window.cpu_by_process()
    kinds = {name: window.after[name].kind for name in per_process}
    tx = max(transactions, 1)
    ms_per_tx = {name: round(1000 * cpu / tx, 3) for name, cpu in per_process.items()}
    by_kind = window.report(transactions)
    fabric = {name: ms for name, ms in ms_per_tx.items() if kinds[name] != CLIENT_KIND and ms > 0}
    projection = []
    for c in cores:
        if not fabric:
            break
        limits = {name: c * 1000 / ms for name, ms in fabric.items()}
        bottleneck = min(limits, key=lambda n: limits[n])
        projection.append({"cores_per_node": c, "tps": round(limits[bottleneck], 1), "bottleneck": bottleneck})
    return {
        "window_s": round(seconds, 2),
        "transactions": transactions,
        "measured_tps": round(transactions / seconds, 1) if seconds > 0 else None,
        "cpu_ms_per_tx_by_kind": by_kind["cpu_ms_per_tx_by_kind"],
        "cpu_ms_per_tx_by_process": dict(sorted(ms_per_tx.items())),
        "kind_by_process": kinds,
        "fabric_cpu_ms_per_tx": by_kind["fabric_cpu_ms_per_tx"],
        "cpu_utilisation_pct_by_process": {
            name: round(100 * cpu / seconds, 1) for name, cpu in sorted(per_process.items()) if seconds > 0
        },
        "projection": projection,
        "formula": FORMULA,
        "assumptions_en": ASSUMPTIONS_EN,
        "assumptions_zh": ASSUMPTIONS_ZH,
    }
