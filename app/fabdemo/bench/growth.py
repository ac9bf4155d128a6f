"""Curves, not points: how the contract's costs move as a lot's history, the ledger and a family grow.

- readings: RecordTemperature latency and network CPU per reading on one lot after 1, 100 and 1,000
  earlier readings (the history is filled with RecordTemperatures batches of 100), and GetLot's size.
- lots: ListLotsPage (first page of 20) and the dashboard's first page (bench/dashboard_bench.py: the lot
  index against one ListLots) with 200, 2,000 (and, with BENCH_FULL=1, 20,000) lots on the ledger; the
  lots are made by SplitLot, 100 per transaction, so 20,000 take seconds, not minutes.
- trace: TraceLot of a lot with 50 and 500 descendants.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Callable

from fabdemo.bench import dashboard_bench, resources, workload
from fabdemo.bench.stats import summary_ms
from fabdemo.connections import connect_org_async
from fabdemo.network.manager import FabricNetwork

READING_POINTS = (1, 100, 1000)
LOT_POINTS = (200, 2000)
LOT_POINTS_FULL = (200, 2000, 20000)
TRACE_POINTS = (50, 500)
SAMPLES = 20
PAGE_SIZE = 20
SPLIT_CHILDREN = 100
PARALLEL_PARENTS = 10


class _Contracts:
    """The farm's and the processor's contract handles over one gateway each."""

    def __init__(self, network: FabricNetwork) -> None:
        self.network = network
        self.topology = network.topology
        self._stack = contextlib.AsyncExitStack()

    async def __aenter__(self) -> _Contracts:
        topology, layout = self.topology, self.network.layout
        contracts = []
        for role in ("grower", "processor"):
            gateway = await connect_org_async(topology, layout, topology.orgs_with_role(role)[0])
            await self._stack.enter_async_context(gateway)
            contracts.append(gateway.get_network(topology.channel_name).get_contract(topology.chaincode.name))
        self.farm, self.proc = contracts
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()


async def _ensure_product(contract) -> None:
    try:
        await contract.submit_transaction("DefineProduct", *workload.BENCH_PRODUCT)
    except Exception as err:  # defined by an earlier benchmark on this network
        if getattr(err, "chaincode_code", None) != "ALREADY_EXISTS":
            raise


async def _timed(call, samples: int) -> list[float]:
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        await call()
        timings.append(time.perf_counter() - started)
    return timings


async def readings_curve(network: FabricNetwork, cc: _Contracts, log: Callable[[str], None]) -> list[dict]:
    """RecordTemperature on one lot after 1, 100 and 1,000 earlier readings."""
    lot_id = f"READ-{uuid.uuid4().hex[:8]}"
    await cc.farm.submit_transaction("HarvestLot", *workload.harvest_args(lot_id))
    in_range = float(workload.BENCH_PRODUCT[2]) + 1
    recorded, points = 0, []
    args = (lot_id, str(in_range), "")
    for target in READING_POINTS:
        while recorded < target:
            batch = min(100, target - recorded)
            readings = [{"celsius": in_range, "location": "Bench reefer"}] * batch
            await cc.farm.submit_transaction("RecordTemperatures", lot_id, json.dumps(readings))
            recorded += batch
        log(f"growth: {SAMPLES} readings on a lot with {recorded} readings")
        window = resources.ResourceWindow(resources.network_nodes(network)).start()
        timings = await _timed(lambda: cc.farm.submit_transaction("RecordTemperature", *args), SAMPLES)
        window.stop()
        recorded += SAMPLES
        lot = await cc.farm.evaluate_transaction("GetLot", lot_id)
        report = window.report(SAMPLES)
        points.append(
            {
                "earlier_readings": target,
                **summary_ms(timings),
                "fabric_cpu_ms_per_reading": report["fabric_cpu_ms_per_tx"],
                "get_lot_kb": round(len(lot) / 1024, 1),
            }
        )
    return points


async def _processed_parent(cc: _Contracts, quantity: float) -> str:
    """A lot held and processed by the processor, ready to split."""
    proc_msp = cc.topology.orgs_with_role("processor")[0].msp_id
    lot_id = f"GROW-{uuid.uuid4().hex[:8]}"
    args = workload.harvest_args(lot_id)
    args[3] = str(quantity)
    await cc.farm.submit_transaction("HarvestLot", *args)
    await cc.farm.submit_transaction("ProposeTransfer", lot_id, proc_msp, "Bench Haulage", "TRK-1", "Farm->Plant")
    # The processor's endorsers may not have committed the farm's last block yet (docs/architecture.md,
    # "Cross-org reads and endorsements right after a write"): retry until they have.
    await _after_catch_up(lambda: cc.proc.submit_transaction("AcceptTransfer", lot_id))
    await _after_catch_up(lambda: cc.proc.submit_transaction("ProcessLot", lot_id, "PACKING", "bench"))
    return lot_id


async def _after_catch_up(call, attempts: int = 50, pause_s: float = 0.1):
    """``call()``, again while an endorser refuses because it has not seen the previous commit yet."""
    from fabric_gateway import EndorseError

    for attempt in range(attempts):
        try:
            return await call()
        except EndorseError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(pause_s)


async def _split(cc: _Contracts, parent: str, children: int, tag: str, quantity: float = 0.1) -> list[str]:
    ids = [f"{parent}-{tag}{i:03d}" for i in range(children)]
    parts = [{"lotId": i, "quantity": quantity} for i in ids]
    await _after_catch_up(lambda: cc.proc.submit_transaction("SplitLot", parent, json.dumps(parts)))
    return ids


async def _make_lots(cc: _Contracts, count: int) -> None:
    """``count`` more lots, by SplitLot (100 per transaction, PARALLEL_PARENTS parents at a time)."""
    splits = -(-count // SPLIT_CHILDREN)
    parents = await asyncio.gather(*(_processed_parent(cc, 1e6) for _ in range(min(PARALLEL_PARENTS, splits))))

    async def chain(parent: str, rounds: int) -> None:
        for r in range(rounds):
            await _split(cc, parent, SPLIT_CHILDREN, f"S{r:03d}-")

    per_parent = [splits // len(parents) + (1 if i < splits % len(parents) else 0) for i in range(len(parents))]
    await asyncio.gather(*(chain(p, n) for p, n in zip(parents, per_parent, strict=True)))


async def _count_lots(cc: _Contracts) -> int:
    total, bookmark = 0, ""
    while True:
        page = json.loads(await cc.farm.evaluate_transaction("ListLotsPage", "200", bookmark))
        total += page["fetched"]
        bookmark = page["bookmark"]
        if not bookmark:
            return total


async def lots_point(network: FabricNetwork, target: int, log: Callable[[str], None]) -> dict:
    """Grow the ledger to ``target`` lots, then time the first page of the lot list."""
    async with _Contracts(network) as cc:
        await _ensure_product(cc.farm)
        on_ledger = await _count_lots(cc)
        if on_ledger < target:
            log(f"growth: making {target - on_ledger} lots by SplitLot")
            await _make_lots(cc, target - on_ledger)
            on_ledger = await _count_lots(cc)
        first_page = await _timed(lambda: cc.farm.evaluate_transaction("ListLotsPage", str(PAGE_SIZE), ""), SAMPLES)
        point = {"lots": on_ledger, "first_page": summary_ms(first_page)}
        if on_ledger <= 2500:  # the unpaged call, for comparison, while it is still a sensible answer size
            full = await _timed(lambda: cc.farm.evaluate_transaction("ListLots"), 5)
            point["list_all"] = summary_ms(full)
        return point


def lots_curve(network: FabricNetwork, points: tuple[int, ...], log: Callable[[str], None]) -> list[dict]:
    """The first page of the lot list, and of the dashboard (lot index against one ListLots), as the ledger grows."""
    curve = []
    for target in points:
        point = asyncio.run(lots_point(network, target, log))
        log(f"growth: dashboard with {point['lots']} lots")
        point["dashboard"] = dashboard_bench.measure_dashboard(network, lots=point["lots"])
        curve.append(point)
    return curve


async def trace_curve(cc: _Contracts, log: Callable[[str], None]) -> list[dict]:
    """TraceLot of a lot with 50 and 500 descendants (children first, then grandchildren)."""
    curve = []
    for descendants in TRACE_POINTS:
        log(f"growth: TraceLot with {descendants} descendants")
        root = await _processed_parent(cc, 1e6)
        # Children hold enough to be split again into SPLIT_CHILDREN packages of 0.1 each.
        children = await _split(cc, root, min(descendants, SPLIT_CHILDREN), "C", quantity=SPLIT_CHILDREN * 0.1)
        rest = descendants - len(children)
        grandparents = children[: -(-rest // SPLIT_CHILDREN)] if rest > 0 else []
        await asyncio.gather(
            *(
                _split(cc, parent, min(SPLIT_CHILDREN, rest - i * SPLIT_CHILDREN), "G")
                for i, parent in enumerate(grandparents)
            )
        )
        answer = json.loads(await cc.farm.evaluate_transaction("TraceLot", root))
        timings = await _timed(lambda root=root: cc.farm.evaluate_transaction("TraceLot", root), SAMPLES)
        curve.append({"descendants": len(answer["descendants"]), **summary_ms(timings)})
    return curve


async def _other_curves(network: FabricNetwork, log: Callable[[str], None]) -> dict:
    async with _Contracts(network) as cc:
        await _ensure_product(cc.farm)
        return {"readings_on_one_lot": await readings_curve(network, cc, log), "trace": await trace_curve(cc, log)}


def measure(network: FabricNetwork, log: Callable[[str], None], full: bool = False) -> dict:
    # Lots first: the other curves add lots of their own.
    lots = lots_curve(network, LOT_POINTS_FULL if full else LOT_POINTS, log)
    return {"lots_first_page": lots, **asyncio.run(_other_curves(network, log))}
