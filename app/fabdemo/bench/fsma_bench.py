"""The FSMA 204 spreadsheet for 1,000 lots: how long "the regulator asks, here are the records" takes.

``measure(network, lots=1000)`` makes sure the ledger holds at least ``lots`` lots (harvesting the
missing ones through the service layer, as the dashboard bench does), then times the report as
``GET /api/reports/fsma204`` builds it: every lot's records read through the service layer, one row
per Critical Tracking Event, written as XLSX and as CSV. Figures in seconds.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fabdemo.bench import dashboard_bench
from fabdemo.epcis import fsma204, journey
from fabdemo.network.manager import FabricNetwork
from fabdemo.service import LedgerService


async def _report(network: FabricNetwork) -> dict[str, Any]:
    async with LedgerService(network, follow_blocks=False) as service:
        started = time.perf_counter()
        steps = await journey.journeys(service)
        read_s = time.perf_counter() - started
        table = fsma204.rows(steps)
        rows_s = time.perf_counter() - started - read_s
        xlsx_started = time.perf_counter()
        xlsx = fsma204.to_xlsx(table)
        xlsx_s = time.perf_counter() - xlsx_started
        csv_started = time.perf_counter()
        csv = fsma204.to_csv(table)
        csv_s = time.perf_counter() - csv_started
        lots = len({s.lot_id for s in steps})
    return {
        "lots": lots,
        "rows": len(table),
        "read_s": round(read_s, 2),
        "rows_s": round(rows_s, 3),
        "xlsx_s": round(xlsx_s, 2),
        "csv_s": round(csv_s, 3),
        "total_xlsx_s": round(read_s + rows_s + xlsx_s, 2),
        "xlsx_bytes": len(xlsx),
        "csv_bytes": len(csv),
    }


def measure(network: FabricNetwork, lots: int = 1000) -> dict[str, Any]:
    asyncio.run(dashboard_bench._seed(network, lots))
    return asyncio.run(_report(network))


if __name__ == "__main__":  # python -m fabdemo.bench.fsma_bench on the developer's network
    import json

    from fabdemo import context
    from fabdemo.settings import get_settings

    print(json.dumps(measure(context.open_network(get_settings())), indent=2))
