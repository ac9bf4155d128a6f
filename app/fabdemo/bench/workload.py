"""The submit workload shared by every benchmark: harvest lots with unique ids (no read conflicts)."""

from __future__ import annotations

import asyncio
import time
import uuid

from fabdemo.bench.stats import summary_ms

BENCH_PRODUCT = ("PRD-BENCH", "Benchmark lettuce", "1", "4")


def harvest_args(lot_id: str) -> list[str]:
    return [lot_id, BENCH_PRODUCT[0], "Bench", "10", "kg", "Bench Farm", "Bench Road", "B1", "2026-06-01"]


def ensure_product(contract) -> None:
    """Define the benchmark product once (the farm org may define products)."""
    from fabric_gateway import EndorseError

    try:
        contract.submit_transaction("DefineProduct", *BENCH_PRODUCT)
    except EndorseError as err:
        if err.chaincode_code != "ALREADY_EXISTS":
            raise


def sequential_latency(contract, count: int) -> dict:
    """Submit-to-commit latency of lone transactions, one after another."""
    latencies = []
    for _ in range(count):
        lot_id = f"LAT-{uuid.uuid4().hex[:12]}"
        started = time.perf_counter()
        contract.submit_transaction("HarvestLot", *harvest_args(lot_id))
        latencies.append(time.perf_counter() - started)
    return summary_ms(latencies)


async def concurrent_submits(contract, concurrency: int, total: int, prefix: str) -> dict:
    """``total`` submits (each waiting for commit) with ``concurrency`` in flight; throughput and latency."""
    latencies: list[float] = []
    failures = 0
    counter = iter(range(total))

    async def worker() -> None:
        nonlocal failures
        for index in counter:
            started = time.perf_counter()
            try:
                await contract.submit_transaction("HarvestLot", *harvest_args(f"{prefix}-{index}"))
            except Exception:  # counted, reported; a benchmark keeps going
                failures += 1
                continue
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "transactions": total,
        "failures": failures,
        "elapsed_s": round(elapsed, 3),
        "tps": round(len(latencies) / elapsed, 1),
        **summary_ms(latencies),
    }
