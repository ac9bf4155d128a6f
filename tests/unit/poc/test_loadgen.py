"""Rate controllers and the load generator, with a send that takes real time (asyncio.sleep), no network."""

from __future__ import annotations

import asyncio

import pytest

from fabdemo.poc import criteria as c
from fabdemo.poc.loadgen import Mark, run_round
from fabdemo.poc.ratecontrol import FixedLoad, FixedRate, LinearRate, from_caliper
from fabdemo.poc.verdict import judge


def test_fixed_rate_schedule() -> None:
    rate = FixedRate(20)
    assert [rate.send_at(i, 10) for i in (0, 1, 20)] == [0, 0.05, 1.0]


def test_linear_rate_sends_the_integral_of_its_ramp() -> None:
    ramp = LinearRate(
        10,
        30,
    )  # 10 -> 30 TPS over 10 s: 200 transactions in all, 75 in the first half
    times = [ramp.send_at(i, 10) for i in range(400)]
    assert sum(t < 5 for t in times) == 75
    assert sum(t < 10 for t in times) == 200
    assert times == sorted(times)
    falling = LinearRate(30, 10)
    assert sum(falling.send_at(i, 10) < 10 for i in range(400)) == 200


def test_from_caliper_names() -> None:
    assert from_caliper("fixed-load", {"transactionLoad": 8}) == FixedLoad(8)
    assert from_caliper("linear-rate", {"startingTps": 1, "finishingTps": 2}) == LinearRate(1, 2)
    with pytest.raises(ValueError):
        from_caliper("poisson", {})


async def test_fixed_load_keeps_exactly_n_in_flight() -> None:
    in_flight = peak = 0

    async def send(index: int) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1

    result = await run_round("load", send, FixedLoad(4), 0.5)
    assert peak == 4
    summary = result.summary()
    assert summary["fail"] == 0 and summary["succ"] == len(result.sent_at)
    assert 60 <= summary["throughput"] <= 200  # 4 in flight / 20 ms = 200 at most


async def test_fixed_rate_summary_has_caliper_fields_and_counts_failures() -> None:
    async def send(index: int) -> None:
        await asyncio.sleep(0.01)
        if index % 4 == 3:
            raise RuntimeError("refused")

    marks: list[float] = []
    loop = asyncio.get_running_loop()
    began = loop.time()
    result = await run_round(
        "rate", send, FixedRate(40), 1.0, marks=[Mark(0.5, lambda: marks.append(loop.time() - began))]
    )
    s = result.summary()
    assert s["succ"] + s["fail"] == 40 and s["fail"] == 10
    assert s["errors"] == {"RuntimeError": 10}
    assert 36 <= s["send_rate"] <= 44 and s["failure_rate"] == 0.25
    assert 0.009 <= s["min_latency"] <= s["avg_latency"] <= s["max_latency"] < 0.5
    assert s["p50_ms"] <= s["p95_ms"] <= s["p99_ms"]
    assert marks and 0.45 <= marks[0] <= 0.7
    series = result.series()
    assert sum(row["throughput"] for row in series) == 30 and sum(row["fail"] for row in series) == 10


async def test_max_transactions_bounds_a_closed_loop_round() -> None:
    async def send(index: int) -> None:
        await asyncio.sleep(0)

    result = await run_round("lone", send, FixedLoad(1), 3600, max_transactions=7)
    assert result.summary()["succ"] == 7


def _throughput(min_tps: float) -> c.Throughput:
    return c.Throughput.model_validate(
        {
            "id": "t",
            "kind": "throughput",
            "label": {"en": "t", "zh": "t"},
            "operation": "harvest",
            "args": {"lotId": "X-{uid}"},
            "duration_s": 1,
            "rate_control": {"type": "fixed-rate", "opts": {"tps": 1}},
            "target": {"min_tps": min_tps, "max_p95_ms": 1000},
        }
    )


def test_verdicts_are_computed_from_the_figures() -> None:
    figures = {"throughput": 80.0, "p95_ms": 900.0, "failure_rate": 0.0}
    assert judge(_throughput(50), figures)["verdict"] == "PASS"
    failed = judge(_throughput(10_000), figures)
    assert failed["verdict"] == "FAIL" and [x["ok"] for x in failed["checks"]] == [False, True]
    assert judge(_throughput(50), {"throughput": 80.0, "p95_ms": None})["verdict"] == "FAIL"  # not measured
    assert judge(_throughput(50), None, "boom")["verdict"] == "FAIL"
