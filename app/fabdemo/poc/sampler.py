"""CPU and memory of every node and the client, once a second, for the report's over-time chart.

It reads the same /proc figures as :mod:`fabdemo.bench.resources` (``sample`` over ``network_nodes``),
from a thread of its own so a busy event loop cannot stretch the interval. The pids are looked up again
every few seconds: a node that a resilience criterion killed comes back with a new one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from fabdemo.bench import resources

NodeList = Callable[[], list[tuple[str, str, int | None]]]
REFRESH_PIDS_S = 5.0


class ResourceSampler:
    def __init__(self, nodes: NodeList, interval_s: float = 1.0) -> None:
        self._nodes = nodes
        self.interval_s = interval_s
        self.began = time.monotonic()
        self.rows: list[dict[str, Any]] = []  # {t_s, name, kind, cpu_pct, rss_mb}
        self.marks: list[dict[str, Any]] = []  # {t_s, label}: which criterion ran when
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="poc-sampler", daemon=True)

    def start(self) -> ResourceSampler:
        self.began = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def now(self) -> float:
        return round(time.monotonic() - self.began, 2)

    def mark(self, label: str) -> None:
        self.marks.append({"t_s": self.now(), "label": label})

    def _run(self) -> None:
        nodes = self._safe_nodes()
        refreshed = time.monotonic()
        previous = resources.sample(nodes)
        previous_t = time.monotonic()
        while not self._stop.wait(self.interval_s):
            if time.monotonic() - refreshed > REFRESH_PIDS_S:
                nodes, refreshed = self._safe_nodes(), time.monotonic()
            current = resources.sample(nodes)
            now = time.monotonic()
            span = now - previous_t
            for name, s in current.items():
                before = previous.get(name)
                if before is None or before.pid != s.pid or span <= 0 or s.rss_bytes == 0:
                    continue  # restarted between the samples, or a killed process not yet reaped
                self.rows.append(
                    {
                        "t_s": round(now - self.began, 2),
                        "name": name,
                        "kind": s.kind,
                        "cpu_pct": round(100 * (s.cpu_s - before.cpu_s) / span, 1),
                        "rss_mb": round(s.rss_bytes / 2**20, 1),
                    }
                )
            previous, previous_t = current, now

    def _safe_nodes(self) -> list[tuple[str, str, int | None]]:
        try:
            return self._nodes()
        except Exception:  # a node between stop and start: sample what there is, look again soon
            return []

    def to_dict(self) -> dict[str, Any]:
        return {"interval_s": self.interval_s, "rows": self.rows, "marks": self.marks}
