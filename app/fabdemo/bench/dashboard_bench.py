"""Dashboard first load with many lots: the time from request to the complete server-rendered page.

``measure_dashboard(network, lots=200)`` makes sure the network holds at least ``lots`` lots (harvesting
the missing ones through the service layer), starts the web app in this process on a free 127.0.0.1 port,
and times ``GET /``: the first load after start-up (gateway connections included) and warm loads.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from typing import Any

import httpx

from fabdemo.api.app import create_app
from fabdemo.appserver import InProcessServer
from fabdemo.network.manager import FabricNetwork
from fabdemo.service import LedgerService

PRODUCT = ("PRD-BENCH", "Bench lettuce", 1, 4)
BATCH = 25
WARM_LOADS = 10


async def _seed(network: FabricNetwork, wanted: int) -> int:
    async with LedgerService(network, follow_blocks=False) as service:
        existing = len(await service.reads.list_lots())
        missing = max(wanted - existing, 0)
        if missing:
            product_id, name, low, high = PRODUCT
            try:
                await service.perform(
                    "farm", "define_product", {"productId": product_id, "name": name, "minTempC": low, "maxTempC": high}
                )
            except Exception as err:  # already defined by an earlier run
                if getattr(err, "code", None) != "ALREADY_EXISTS":
                    raise
            prefix = uuid.uuid4().hex[:6].upper()
            for start in range(0, missing, BATCH):
                batch = range(start, min(start + BATCH, missing))
                await asyncio.gather(
                    *(
                        service.perform(
                            "farm",
                            "harvest",
                            {
                                "lotId": f"LOT-BENCH-{prefix}-{i:04d}",
                                "productId": product_id,
                                "quantity": 10 + i,
                                "unit": "kg",
                                "farmName": "Bench Farm",
                                "harvestDate": "2026-05-01",
                            },
                        )
                        for i in batch
                    )
                )
        return existing + missing


def measure_dashboard(network: FabricNetwork, lots: int = 200) -> dict[str, Any]:
    """Seed to ``lots`` lots and time the dashboard; returns the figures (milliseconds) as a dict."""
    seeded_started = time.perf_counter()
    total = asyncio.run(_seed(network, lots))
    seed_seconds = time.perf_counter() - seeded_started
    with (
        InProcessServer(create_app(network=network)) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        client.cookies.set("org", "farm")
        started = time.perf_counter()
        first = client.get("/")
        first_ms = (time.perf_counter() - started) * 1000
        first.raise_for_status()
        warm = []
        for _ in range(WARM_LOADS):
            started = time.perf_counter()
            client.get("/").raise_for_status()
            warm.append((time.perf_counter() - started) * 1000)
        api_started = time.perf_counter()
        listed = client.get("/api/lots").json()["count"]
        api_ms = (time.perf_counter() - api_started) * 1000
    return {
        "lots": total,
        "lots_listed": listed,
        "first_load_ms": round(first_ms, 1),
        "warm_median_ms": round(statistics.median(warm), 1),
        "warm_max_ms": round(max(warm), 1),
        "api_list_lots_ms": round(api_ms, 1),
        "page_bytes": len(first.content),
        "target_ms": 300,
        "within_target": first_ms < 300,
        "seed_seconds": round(seed_seconds, 1),
    }


if __name__ == "__main__":
    import json
    import sys

    from fabdemo import context

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    print(json.dumps(measure_dashboard(context.open_network(), count), indent=2))
