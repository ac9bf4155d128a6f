"""Dashboard with many lots: the time from request to the complete server-rendered first page.

``measure_dashboard(network, lots=200)`` makes sure the network holds at least ``lots`` lots (harvesting
the missing ones through the service layer), starts the web app in this process on a free 127.0.0.1 port,
and times ``GET /``:

- the first load right after start-up (gateway connections included; the block follower has not read the
  chain yet, so this one is served by one ListLots call, as every load was before the lot index);
- how long the follower takes to read the chain and fill the lot index (``index_ready_s``);
- loads served by the lot index (``first_page_ms`` is the first of them, then the warm median and max);
- the same page from one ListLots call (``contract_page_ms``), measured in the same process, for the ratio.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
import uuid
from typing import Any

import httpx

from fabdemo.api.app import create_app
from fabdemo.appserver import InProcessServer
from fabdemo.network.manager import FabricNetwork
from fabdemo.service import LedgerService
from fabdemo.waiting import wait_until

PRODUCT = ("PRD-BENCH", "Bench lettuce", 1, 4)
BATCH = 25
WARM_LOADS = 10
INDEX_TIMEOUT = 600.0  # the follower reads ~20,000 lots' blocks in well under a minute


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
        app_started = time.perf_counter()
        first_ms, first = _timed_get(client, "/")
        index_ready_s = _wait_for_index(client, app_started)
        page_ms, page = _timed_get(client, "/")
        warm = [_timed_get(client, "/")[0] for _ in range(WARM_LOADS)]
        contract = [_timed_get(client, "/?read_model=contract")[0] for _ in range(3)]
        api_ms, listed = _timed_get(client, "/api/lots")
    return {
        "lots": total,
        "lots_listed": listed.json()["count"],
        "first_load_ms": round(first_ms, 1),
        "first_load_source": _source(first),
        "index_ready_s": round(index_ready_s, 2),
        "first_page_ms": round(page_ms, 1),
        "first_page_source": _source(page),
        "warm_median_ms": round(statistics.median(warm), 1),
        "warm_max_ms": round(max(warm), 1),
        "contract_page_ms": round(statistics.median(contract), 1),
        "api_list_lots_ms": round(api_ms, 1),
        "page_bytes": len(page.content),
        "target_ms": 300,
        "within_target": page_ms < 300,
        "seed_seconds": round(seed_seconds, 1),
    }


def _timed_get(client: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, response


def _source(page: httpx.Response) -> str | None:
    """Which read model served the page (the dashboard marks it: ``data-read-model``)."""
    found = re.search(r'data-read-model="(\w+)"', page.text)
    return found.group(1) if found else None


def _wait_for_index(client: httpx.Client, since: float) -> float:
    """Seconds from ``since`` until the block follower has read the chain it found (the index is ready)."""
    wait_until(lambda: client.get("/healthz").json()["follower"]["caughtUp"], INDEX_TIMEOUT, interval=0.1,
               what="the block follower to fill the lot index")  # fmt: skip
    return time.perf_counter() - since


if __name__ == "__main__":
    import json
    import sys

    from fabdemo import context

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    print(json.dumps(measure_dashboard(context.open_network(), count), indent=2))
