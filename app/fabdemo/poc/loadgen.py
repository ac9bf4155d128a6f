"""The kit's load generator: one round of transactions paced by a Caliper rate controller, in asyncio.

``send(index)`` is any coroutine that performs one transaction and raises when it fails (the POC passes
the service layer's ``perform``, the same path as the REST API). The round reports Caliper's fields
(Succ, Fail, Send Rate, Max/Min/Avg latency, Throughput, with Caliper's definitions), percentiles, and
a per-second series for the latency-over-time chart. One process, one event loop: light enough to share
a two-core laptop with nine Fabric processes, where Caliper's Node worker starves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fabdemo.bench.stats import percentile
from fabdemo.poc.ratecontrol import RateController, describe

Send = Callable[[int], Awaitable[Any]]
DRAIN_TIMEOUT_S = 90.0  # after the last send: longer than the service's whole retry budget


@dataclass(frozen=True)
class Outcome:
    started: float  # seconds after the round began
    seconds: float
    ok: bool
    error: str | None = None


@dataclass
class Mark:
    """Call ``action`` once the round is ``at_s`` seconds old (the capacity window's start and end)."""

    at_s: float
    action: Callable[[], Any]


@dataclass
class Round:
    name: str
    controller: RateController
    duration_s: float
    outcomes: list[Outcome] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)
    elapsed_s: float = 0.0
    drained: bool = True  # False: some transactions had no answer within DRAIN_TIMEOUT_S

    def completed_between(self, start_s: float, end_s: float) -> int:
        return sum(1 for o in self.outcomes if o.ok and start_s <= o.started + o.seconds < end_s)

    def summary(self) -> dict[str, Any]:
        """Caliper's fields (latencies in seconds, as Caliper prints them) plus percentiles in ms."""
        ok = [o for o in self.outcomes if o.ok]
        latencies = [o.seconds for o in ok]
        first_send = min(self.sent_at, default=0.0)
        last_send = max(self.sent_at, default=0.0)
        last_finish = max((o.started + o.seconds for o in self.outcomes), default=0.0)
        errors: dict[str, int] = {}
        for o in self.outcomes:
            if not o.ok:
                errors[o.error or "?"] = errors.get(o.error or "?", 0) + 1
        sent = len(self.sent_at)
        unanswered = sent - len(self.outcomes)
        fail = len(self.outcomes) - len(ok) + unanswered
        ms = [s * 1000 for s in latencies]
        return {
            "name": self.name,
            "rate_control": describe(self.controller),
            "duration_s": self.duration_s,
            "succ": len(ok),
            "fail": fail,
            "unanswered": unanswered,
            "failure_rate": round(fail / sent, 4) if sent else None,
            "send_rate": round((sent - 1) / (last_send - first_send), 1)
            if sent > 1 and last_send > first_send
            else None,
            "max_latency": round(max(latencies), 3) if latencies else None,
            "min_latency": round(min(latencies), 3) if latencies else None,
            "avg_latency": round(sum(latencies) / len(latencies), 3) if latencies else None,
            "throughput": round(len(ok) / (last_finish - first_send), 1) if ok and last_finish > first_send else 0.0,
            "p50_ms": round(percentile(ms, 50), 1) if ms else None,
            "p95_ms": round(percentile(ms, 95), 1) if ms else None,
            "p99_ms": round(percentile(ms, 99), 1) if ms else None,
            "errors": errors,
            "elapsed_s": round(self.elapsed_s, 2),
        }

    def series(self, bucket_s: float = 1.0) -> list[dict[str, Any]]:
        """Per bucket of finish time: successes per second, sends per second and latency percentiles."""
        if not self.sent_at:
            return []
        end = max([*self.sent_at, *(o.started + o.seconds for o in self.outcomes)])
        buckets = int(end // bucket_s) + 1
        done: list[list[float]] = [[] for _ in range(buckets)]
        failed = [0] * buckets
        sends = [0] * buckets
        for t in self.sent_at:
            sends[int(t // bucket_s)] += 1
        for o in self.outcomes:
            b = int((o.started + o.seconds) // bucket_s)
            if o.ok:
                done[b].append(o.seconds * 1000)
            else:
                failed[b] += 1
        rows = []
        for b in range(buckets):
            ms = done[b]
            rows.append(
                {
                    "t_s": round(b * bucket_s, 2),
                    "throughput": round(len(ms) / bucket_s, 1),
                    "send_rate": round(sends[b] / bucket_s, 1),
                    "fail": failed[b],
                    "p50_ms": round(percentile(ms, 50), 1) if ms else None,
                    "p95_ms": round(percentile(ms, 95), 1) if ms else None,
                    "p99_ms": round(percentile(ms, 99), 1) if ms else None,
                }
            )
        return rows


def error_code(err: BaseException) -> str:
    """A short stable name for a failure: the service's code (``MVCC_READ_CONFLICT``...) or the type."""
    return str(getattr(err, "code", None) or getattr(err, "chaincode_code", None) or type(err).__name__)


async def run_round(
    name: str,
    send: Send,
    controller: RateController,
    duration_s: float,
    *,
    marks: Sequence[Mark] = (),
    max_transactions: int | None = None,
) -> Round:
    """Send for ``duration_s`` (or ``max_transactions``) as ``controller`` paces, then wait for every answer."""
    result = Round(name, controller, duration_s)
    slots = asyncio.Semaphore(controller.max_in_flight)
    loop = asyncio.get_running_loop()
    began = loop.time()
    pending: set[asyncio.Task[None]] = set()
    handles = [loop.call_at(began + m.at_s, m.action) for m in marks]

    async def one(index: int, started: float) -> None:
        try:
            await send(index)
        except Exception as err:  # counted and reported by code; a load round keeps going
            result.outcomes.append(Outcome(started, loop.time() - began - started, False, error_code(err)))
        else:
            result.outcomes.append(Outcome(started, loop.time() - began - started, True))
        finally:
            slots.release()

    index = 0
    while max_transactions is None or index < max_transactions:
        due = controller.send_at(index, duration_s)
        if due >= duration_s:
            break
        delay = began + due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        await slots.acquire()
        now = loop.time() - began
        if now >= duration_s and max_transactions is None:
            slots.release()
            break
        result.sent_at.append(now)
        task = asyncio.create_task(one(index, now))
        pending.add(task)
        task.add_done_callback(pending.discard)
        index += 1
    if pending:
        _done, late = await asyncio.wait(set(pending), timeout=DRAIN_TIMEOUT_S)
        for task in late:
            task.cancel()
        result.drained = not late
    for handle in handles:
        handle.cancel()
    result.elapsed_s = loop.time() - began
    return result
