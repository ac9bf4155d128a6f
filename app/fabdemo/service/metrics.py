"""Live performance figures of the network, for the Performance page and ``GET /api/metrics``.

Read server-side, so the browser needs no certificate and no Prometheus: every orderer and peer is
asked for its operations endpoint's ``/metrics`` (Prometheus text, over TLS with the client
certificate the status view uses, :func:`fabdemo.network.health.metrics`), and every node's process
(chaincode servers too) for its CPU time and resident memory in ``/proc``
(:func:`fabdemo.bench.resources.read_process`). Rates are differences between two samples:

- throughput: valid endorser transactions committed per second (``ledger_transaction_count`` of the
  peer that committed most: every peer commits every block);
- block rate: blocks per second (``ledger_blockchain_height``);
- commit time: a peer's average time to validate and commit one block in the interval
  (``ledger_block_processing_time``), and the orderer's time to fill a batch
  (``blockcutter_block_fill_duration``): the two parts of a transaction's wait that Fabric measures;
- CPU (% of one core) and RSS per node.

One sampler per service: a background task samples every :data:`INTERVAL_S` while a page listens
(``subscribe``), and the REST endpoint samples on demand, so any number of viewers cost one scrape.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

from fabdemo.bench.resources import read_process
from fabdemo.network import health
from fabdemo.network.nodes import NodeKind, NodeSpec
from fabdemo.network.topology import Topology

INTERVAL_S = 2.0
HISTORY = 90  # samples kept: three minutes at the default interval
SCRAPE_TIMEOUT_S = 1.0

_SAMPLE_RE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>[^}]*)\})?\s+(?P<value>\S+)")
_LABEL_RE = re.compile(r'(?P<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?P<value>(?:[^"\\]|\\.)*)"')

Samples = dict[str, list[tuple[dict[str, str], float]]]


def parse_prometheus(text: str) -> Samples:
    """Prometheus text exposition format: metric name -> [(labels, value)]; comments skipped."""
    out: Samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE_RE.match(line)
        if match is None:
            continue
        try:
            value = float(match["value"])
        except ValueError:
            continue
        labels = {m["key"]: m["value"] for m in _LABEL_RE.finditer(match["labels"] or "")}
        out.setdefault(match["name"], []).append((labels, value))
    return out


def total(samples: Samples, name: str, **labels: str) -> float | None:
    """Sum of the metric's values whose labels include ``labels``; None when the metric is absent."""
    values = [v for lbl, v in samples.get(name, []) if all(lbl.get(k) == want for k, want in labels.items())]
    return sum(values) if values else None


class NodeSource(Protocol):
    """What the sampler needs of the network (``FabricNetwork`` has it)."""

    @property
    def topology(self) -> Topology: ...

    @property
    def nodes(self) -> Any: ...  # NodeControl: .nodes() -> [Node] with .spec and .pid()


@dataclass(frozen=True)
class NodeReading:
    name: str
    kind: str
    org: str | None
    pid: int | None
    cpu_s: float | None
    rss_bytes: int | None
    metrics: Samples | None  # None: no operations endpoint, or it did not answer


@dataclass(frozen=True)
class Reading:
    at: float  # time.time()
    mono: float
    nodes: tuple[NodeReading, ...]


def _read_node(spec: NodeSpec, pid: int | None) -> NodeReading:
    proc = read_process(pid) if pid else None
    body = health.metrics(spec, timeout=SCRAPE_TIMEOUT_S) if spec.kind in (NodeKind.PEER, NodeKind.ORDERER) else None
    return NodeReading(
        name=spec.name,
        kind=str(spec.kind),
        org=spec.msp_id,
        pid=pid,
        cpu_s=proc[0] if proc else None,
        rss_bytes=proc[1] if proc else None,
        metrics=parse_prometheus(body) if body else None,
    )


def _window_mean_ms(new: Samples, old: Samples, histogram: str, channel: str) -> float | None:
    """Mean of a Prometheus histogram (seconds) over the window between two scrapes, in ms; None if empty."""
    spent = _delta(total(new, f"{histogram}_sum", channel=channel), total(old, f"{histogram}_sum", channel=channel))
    count = _delta(total(new, f"{histogram}_count", channel=channel), total(old, f"{histogram}_count", channel=channel))
    return 1000 * spent / count if spent is not None and count else None


def _delta(new: float | None, old: float | None) -> float | None:
    if new is None or old is None or new < old:  # a restarted node starts its counters again
        return None
    return new - old


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def compare(prev: Reading | None, cur: Reading, channel: str) -> dict[str, Any]:
    """One point of the charts: rates over the interval since ``prev`` (None on the first sample)."""
    seconds = cur.mono - prev.mono if prev else 0.0
    before = {n.name: n for n in prev.nodes} if prev else {}
    tps: list[float] = []
    invalid: list[float] = []
    blocks: list[float] = []
    commit_ms: list[float] = []
    fill_ms: list[float] = []
    heights: list[int] = []
    nodes = []
    for node in cur.nodes:
        old = before.get(node.name)
        cpu = _delta(node.cpu_s, old.cpu_s if old and old.pid == node.pid else None)
        nodes.append(
            {
                "name": node.name,
                "kind": node.kind,
                "up": node.pid is not None,
                "cpu_pct": _round(100 * cpu / seconds) if cpu is not None and seconds > 0 else None,
                "rss_mb": _round(node.rss_bytes / 2**20) if node.rss_bytes is not None else None,
            }
        )
        m, o = node.metrics, old.metrics if old else None
        if m is None:
            continue
        height = total(m, "ledger_blockchain_height", channel=channel)
        if height is not None and node.kind == NodeKind.PEER:
            heights.append(int(height))
        if o is None or seconds <= 0:
            continue
        if node.kind == NodeKind.PEER:
            kw = {"channel": channel, "transaction_type": "ENDORSER_TRANSACTION"}
            valid = _delta(
                total(m, "ledger_transaction_count", validation_code="VALID", **kw),
                total(o, "ledger_transaction_count", validation_code="VALID", **kw),
            )
            every = _delta(total(m, "ledger_transaction_count", **kw), total(o, "ledger_transaction_count", **kw))
            if valid is not None:
                tps.append(valid / seconds)
                if every is not None:
                    invalid.append(max(every - valid, 0) / seconds)
            grown = _delta(height, total(o, "ledger_blockchain_height", channel=channel))
            if grown is not None:
                blocks.append(grown / seconds)
            mean = _window_mean_ms(m, o, "ledger_block_processing_time", channel)
            if mean is not None:
                commit_ms.append(mean)
        elif node.kind == NodeKind.ORDERER:
            mean = _window_mean_ms(m, o, "blockcutter_block_fill_duration", channel)
            if mean is not None:
                fill_ms.append(mean)
    return {
        "t": round(cur.at, 3),
        "interval_s": round(seconds, 3) if prev else None,
        "tps": _round(max(tps)) if tps else None,
        "invalid_tps": _round(max(invalid)) if invalid else None,
        "block_rate": _round(max(blocks), 2) if blocks else None,
        "commit_ms": _round(sum(commit_ms) / len(commit_ms)) if commit_ms else None,
        "batch_fill_ms": _round(max(fill_ms)) if fill_ms else None,
        "height": max(heights) if heights else None,
        "nodes": nodes,
    }


class MetricsSampler:
    def __init__(self, network: NodeSource, interval_s: float = INTERVAL_S, history: int = HISTORY) -> None:
        self._network = network
        self.interval_s = interval_s
        self._points: deque[dict[str, Any]] = deque(maxlen=history)
        self._last: Reading | None = None
        self._lock = asyncio.Lock()
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._task: asyncio.Task[None] | None = None

    async def _read(self) -> Reading:
        nodes = self._network.nodes.nodes()

        def one(node: Any) -> NodeReading:
            return _read_node(node.spec, node.pid())

        readings = await asyncio.gather(*(asyncio.to_thread(one, n) for n in nodes))
        return Reading(time.time(), time.monotonic(), tuple(readings))

    async def sample(self, max_age_s: float | None = None) -> dict[str, Any]:
        """A new point (or the latest, when younger than ``max_age_s``: viewers share one scrape)."""
        async with self._lock:
            if max_age_s is not None and self._last and self._points and time.monotonic() - self._last.mono < max_age_s:
                return self._points[-1]
            cur = await self._read()
            point = compare(self._last, cur, self._network.topology.channel_name)
            self._last = cur
            self._points.append(point)
        for queue in list(self._subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait({"type": "sample", "sample": point})
        return point

    def snapshot(self) -> dict[str, Any]:
        return {
            "channel": self._network.topology.channel_name,
            "interval_s": self.interval_s,
            "points": list(self._points),
        }

    # -- live stream ---------------------------------------------------------------------------------
    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=64)
        self._subscribers.add(queue)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="metrics-sampler")
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers.discard(queue)

    async def _run(self) -> None:
        # Samples only while someone watches: scraping six nodes costs a little CPU on a small machine.
        while self._subscribers:
            started = time.monotonic()
            with contextlib.suppress(Exception):  # a scrape that fails is retried at the next tick
                await self.sample(max_age_s=self.interval_s / 2)
            await asyncio.sleep(max(self.interval_s - (time.monotonic() - started), 0.1))

    async def close(self) -> None:
        self._subscribers.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
