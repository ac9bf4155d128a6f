"""CPU time and memory of the kit's own processes, read from /proc, so cost per transaction holds on any machine.

Wall-clock throughput moves 20-30% on a shared VM; the CPU seconds a process was actually scheduled for
do not depend on how long it waited for a core. A :class:`ResourceWindow` takes one sample of every node
(orderers, peers, chaincode servers: both runtimes give a host pid, a Compose container's main process
included) and of the client process at its start and one at its end, and turns the difference into CPU
milliseconds per transaction by node kind.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fabdemo.runtime import processes

if TYPE_CHECKING:
    from fabdemo.network.manager import FabricNetwork

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLIENT_KIND = "client"


@dataclass(frozen=True)
class ProcessSample:
    name: str
    kind: str  # orderer, peer, chaincode or client
    pid: int
    cpu_s: float  # user + system time since the process started
    rss_bytes: int


def read_process(pid: int) -> tuple[float, int] | None:
    """(CPU seconds, resident bytes) of one process, None when it has gone."""
    fields = processes.stat_fields(pid)
    if fields is None:
        return None
    utime, stime, rss_pages = int(fields[11]), int(fields[12]), int(fields[21])
    return (utime + stime) / CLOCK_TICKS, rss_pages * PAGE_SIZE


def sample(nodes: Iterable[tuple[str, str, int | None]], include_client: bool = True) -> dict[str, ProcessSample]:
    samples: dict[str, ProcessSample] = {}
    entries = list(nodes)
    if include_client:
        entries.append(("client", CLIENT_KIND, os.getpid()))
    for name, kind, pid in entries:
        if pid is None:
            continue
        reading = read_process(pid)
        if reading is not None:
            samples[name] = ProcessSample(name, kind, pid, reading[0], reading[1])
    return samples


def network_nodes(network: FabricNetwork) -> list[tuple[str, str, int | None]]:
    """Every node the network runs now, as (name, kind, pid)."""
    return [(node.name, str(node.kind), node.pid()) for node in network.nodes.nodes()]


@dataclass
class ResourceWindow:
    """CPU used by each process between :meth:`start` and :meth:`stop` (a process restarted between is skipped)."""

    nodes: list[tuple[str, str, int | None]]
    include_client: bool = True
    before: dict[str, ProcessSample] = field(default_factory=dict)
    after: dict[str, ProcessSample] = field(default_factory=dict)

    def start(self) -> ResourceWindow:
        self.before = sample(self.nodes, self.include_client)
        return self

    def stop(self) -> ResourceWindow:
        self.after = sample(self.nodes, self.include_client)
        return self

    def cpu_by_process(self) -> dict[str, float]:
        used: dict[str, float] = {}
        for name, end in self.after.items():
            begin = self.before.get(name)
            if begin is not None and begin.pid == end.pid:
                used[name] = end.cpu_s - begin.cpu_s
        return used

    def cpu_by_kind(self) -> dict[str, float]:
        by_kind: dict[str, float] = {}
        for name, seconds in self.cpu_by_process().items():
            kind = self.after[name].kind
            by_kind[kind] = by_kind.get(kind, 0.0) + seconds
        return by_kind

    def report(self, transactions: int) -> dict:
        """CPU ms per transaction by node kind, transactions per Fabric CPU-second, and RSS at the end."""
        by_kind = self.cpu_by_kind()
        fabric_cpu = sum(seconds for kind, seconds in by_kind.items() if kind != CLIENT_KIND)
        per_tx = {kind: round(1000 * seconds / max(transactions, 1), 3) for kind, seconds in by_kind.items()}
        return {
            "transactions": transactions,
            "cpu_s_by_kind": {kind: round(seconds, 3) for kind, seconds in by_kind.items()},
            "cpu_ms_per_tx_by_kind": per_tx,
            "fabric_cpu_ms_per_tx": round(1000 * fabric_cpu / transactions, 3) if transactions else None,
            "tx_per_fabric_cpu_s": round(transactions / fabric_cpu, 2) if fabric_cpu > 0 else None,
            "rss_mb_by_process": {name: round(s.rss_bytes / 2**20, 1) for name, s in sorted(self.after.items())},
        }


def rss_mb(nodes: Iterable[tuple[str, str, int | None]]) -> dict[str, float]:
    """Resident memory of every node now (MB), by name: what a run left each node holding."""
    return {name: round(s.rss_bytes / 2**20, 1) for name, s in sorted(sample(nodes, include_client=False).items())}
