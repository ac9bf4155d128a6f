"""Run every criterion of a criteria file on one network and collect the figures of the report.

Load criteria (throughput, query, mix) and lone-transaction latency go through the service layer's
``perform``, the path the REST API takes, paced by :mod:`fabdemo.poc.loadgen`. Trace reuses the bench's
``trace_with_descendants``; resilience runs ``make chaos``'s kill-under-load scenario with its
acknowledged-loss check; privacy is :mod:`fabdemo.poc.privacy`. Cold start and reset are timed on a
network of the POC's own (the network ``make poc`` started, or a scratch one next to the user's), so the
user's ledger is never rewound. Verdicts are computed afterwards from the figures (:mod:`verdict`).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from fabdemo.bench import contract_bench, resources
from fabdemo.chaos.load import define_product
from fabdemo.chaos.scenarios import ChaosRun, Plan
from fabdemo.network.manager import FabricNetwork
from fabdemo.network.nodes import NodeKind
from fabdemo.poc import criteria as c
from fabdemo.poc import loadgen, privacy
from fabdemo.poc.capacity import capacity
from fabdemo.poc.ratecontrol import FixedLoad, FixedRate, from_caliper
from fabdemo.poc.sampler import ResourceSampler
from fabdemo.service.errors import ServiceError
from fabdemo.service.ledger import LedgerService
from fabdemo.settings import Settings

Progress = Callable[[str], None]
SEED_IN_FLIGHT = 8


class Templates:
    """Criteria arguments to service-layer arguments: the form defaults, then the template per transaction."""

    def __init__(self, service: LedgerService, lots: list[str], tag: str) -> None:
        self.service = service
        self.lots = lots
        self.tag = tag

    def sender(self, org: str, entries: list[tuple[str, dict[str, Any], float]]) -> loadgen.Send:
        """``entries``: (operation, template, weight); one is drawn by weight per transaction."""
        bases = [(op, {**self.service.defaults(op, org), **self._fixed(args)}, args) for op, args, _w in entries]
        weights = [w for _op, _args, w in entries]
        draw = random.Random(7)  # a fixed seed: the same mix in every run
        prefix = f"{self.tag}{uuid.uuid4().hex[:4]}"

        async def send(index: int) -> None:
            op, base, template = bases[0] if len(bases) == 1 else draw.choices(bases, weights)[0]
            args = {**base, **{k: self._render(v, index, prefix) for k, v in template.items() if isinstance(v, str)}}
            await self.service.perform(org, op, args)

        return send

    @staticmethod
    def _fixed(args: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in args.items() if not (isinstance(v, str) and "{" in v)}

    def _render(self, value: str, index: int, prefix: str) -> str:
        lot = self.lots[index % len(self.lots)] if self.lots else ""
        return value.replace("{uid}", f"{prefix}-{index:06d}").replace("{n}", str(index)).replace("{lot}", lot)


class PocRun:
    def __init__(
        self,
        spec: c.CriteriaFile,
        network: FabricNetwork,
        settings: Settings,
        progress: Progress,
        sampler: ResourceSampler,
    ) -> None:
        self.spec = spec
        self.network = network
        self.settings = settings
        self.progress = progress
        self.sampler = sampler
        self.tag = time.strftime("%H%M%S")
        self.results: dict[str, dict[str, Any]] = {}
        self.blocks: list[dict[str, Any]] = []
        self.capacity: dict[str, Any] | None = None
        self.sweep: list[dict[str, Any]] = []
        self.service = LedgerService(network, follow_blocks=False)
        self.templates = Templates(self.service, [], f"POC{self.tag}")

    def org(self, criterion: Any) -> str:
        return criterion.org or self.spec.org

    # -- setup ----------------------------------------------------------------------------------------
    async def setup(self) -> None:
        org = self.spec.org
        product = self.spec.setup.product_id
        try:
            await self.service.perform(
                org, "define_product", {**self.service.defaults("define_product", org), "productId": product}
            )
        except ServiceError as err:
            if err.code != "ALREADY_EXISTS":
                raise
        lots = [f"POC-SEED-{self.tag}-{i:04d}" for i in range(self.spec.setup.seed_lots)]
        self.progress(f"setup: product {product}, {len(lots)} lots to read")
        limit = asyncio.Semaphore(SEED_IN_FLIGHT)
        base = {**self.service.defaults("harvest", org), "productId": product}

        async def harvest(lot: str) -> None:
            async with limit:
                await self.service.perform(org, "harvest", {**base, "lotId": lot})

        await asyncio.gather(*(harvest(lot) for lot in lots))
        self.templates.lots = lots

    # -- load ------------------------------------------------------------------------------------------
    def _entries(self, criterion: Any) -> list[tuple[str, dict[str, Any], float]]:
        if isinstance(criterion, c.Mix):
            return [(e.operation, self._with_product(e.operation, e.args), e.weight) for e in criterion.operations]
        return [(criterion.operation, self._with_product(criterion.operation, criterion.args), 1.0)]

    def _with_product(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        """A harvest names the POC's product unless the file names one."""
        return {"productId": self.spec.setup.product_id, **args} if op == "harvest" else dict(args)

    async def load(self, criterion: c.Throughput | c.Query | c.Mix) -> dict[str, Any]:
        send = self.templates.sender(self.org(criterion), self._entries(criterion))
        controller = from_caliper(criterion.rate_control.type, criterion.rate_control.opts)
        marks: list[loadgen.Mark] = []
        window: resources.ResourceWindow | None = None
        if self._is_capacity_source(criterion):
            window = resources.ResourceWindow(resources.network_nodes(self.network))
            start, end = (f * criterion.duration_s for f in self.spec.capacity.steady_state)
            marks = [loadgen.Mark(start, window.start), loadgen.Mark(end, window.stop)]
        height = await asyncio.to_thread(self._height)
        result = await loadgen.run_round(criterion.id, send, controller, criterion.duration_s, marks=marks)
        summary = result.summary()
        if window is not None and window.after:
            start, end = (f * criterion.duration_s for f in self.spec.capacity.steady_state)
            done = result.completed_between(start, end)
            self.capacity = {
                "criterion": criterion.id,
                **capacity(window, done, end - start, self.spec.capacity.cores_per_node),
            }
        await self._record_blocks(criterion.id, height)
        summary["series"] = result.series()
        return summary

    def _is_capacity_source(self, criterion: Any) -> bool:
        wanted = self.spec.capacity.from_criterion
        if wanted is not None:
            return criterion.id == wanted
        first = next((x for x in self.spec.criteria if isinstance(x, c.Throughput)), None)
        return first is not None and first.id == criterion.id

    async def latency(self, criterion: c.Latency) -> dict[str, Any]:
        send = self.templates.sender(self.org(criterion), self._entries(criterion))
        await send(10**6)  # warm-up: connection, chaincode server; not counted
        result = await loadgen.run_round(criterion.id, send, FixedLoad(1), 3600, max_transactions=criterion.count)
        return {**result.summary(), "series": result.series()}

    async def sweep_rounds(self, sweep: c.Sweep) -> None:
        entries = [(sweep.operation, self._with_product(sweep.operation, sweep.args), 1.0)]
        for rate in sweep.rates_tps:
            self.progress(f"sweep: {rate:g} TPS offered for {sweep.duration_s:g}s")
            send = self.templates.sender(self.spec.org, entries)
            height = await asyncio.to_thread(self._height)
            result = await loadgen.run_round(f"sweep-{rate:g}", send, FixedRate(rate), sweep.duration_s)
            await self._record_blocks(f"sweep-{rate:g}", height)
            self.sweep.append({"offered_tps": rate, **result.summary()})

    # -- blocks ----------------------------------------------------------------------------------------
    def _height(self) -> int | None:
        peer = next((n for n in self.network.nodes.nodes((NodeKind.PEER,)) if n.spec.org_key == self.spec.org), None)
        return peer.height() if peer else None

    async def _record_blocks(self, label: str, start: int | None) -> None:
        end = await asyncio.to_thread(self._height)
        if start is None or end is None or end <= start:
            return
        channel = await self.service.gateways.channel(self.service.org(self.spec.org))
        async with channel.get_raw_block_events(start_block=start, timeout=20) as blocks:
            async for block in blocks:
                self.blocks.append(
                    {
                        "criterion": label,
                        "number": block.header.number,
                        "transactions": len(block.data.data),
                        "bytes": block.ByteSize(),
                    }
                )
                if block.header.number >= end - 1:
                    break

    # -- the other kinds -------------------------------------------------------------------------------
    async def trace(self, criterion: c.Trace) -> dict[str, Any]:
        figures = await asyncio.to_thread(
            contract_bench.trace_with_descendants, self.network, criterion.descendants, criterion.samples
        )
        return {**figures, "method_detail": "TraceLot as the farm"}

    async def resilience(self, criterion: c.Resilience) -> dict[str, Any]:
        chaos = ChaosRun(self.network, self.settings, Plan(criterion.submits, criterion.in_flight), self.progress)
        await asyncio.to_thread(chaos.start_app)
        try:
            try:
                await asyncio.to_thread(define_product, chaos.target.url)
            except httpx.HTTPStatusError as err:
                if err.response.status_code != 409:  # 409: defined by an earlier resilience criterion
                    raise
            fault = chaos.raft_leader if criterion.fault == "raft-leader" else chaos.peer
            key = "a" if criterion.fault == "raft-leader" else "b"
            figures = await chaos.scenario(key, criterion.label.en, fault)
        finally:
            await asyncio.to_thread(chaos.stop_app)
        # The restarted node must be back in every peer's gossip view before the next criterion: the
        # gateway plans endorsements from it, and a criterion must not measure the last one's recovery.
        await asyncio.to_thread(self.network.nodes.wait_for_gossip, 60)
        figures.pop("phases", None)
        return figures

    async def privacy(self, criterion: c.Privacy) -> dict[str, Any]:
        return await privacy.measure(self.service, self.spec.setup.product_id, farm=self.org(criterion))

    # -- the whole run ---------------------------------------------------------------------------------
    async def run(self, skip: set[str]) -> None:
        """Every criterion except those in ``skip`` (cold start and reset, timed elsewhere)."""
        async with self.service:
            await self.setup()
            for criterion in self.spec.criteria:
                if criterion.kind in skip:
                    continue
                self.progress(f"{criterion.id} ({criterion.kind}): {criterion.label.en}")
                self.sampler.mark(criterion.id)
                started = time.monotonic()
                try:
                    figures = await self.measure(criterion)
                    self.results[criterion.id] = {"measured": figures, "error": None}
                except Exception as err:  # recorded as FAIL with its reason; the other criteria still run
                    self.results[criterion.id] = {"measured": None, "error": f"{type(err).__name__}: {err}"}
                self.results[criterion.id]["seconds"] = round(time.monotonic() - started, 1)
                self.progress(f"  done in {self.results[criterion.id]['seconds']}s")
            if self.spec.sweep is not None:
                self.sampler.mark("sweep")
                await self.sweep_rounds(self.spec.sweep)

    async def measure(self, criterion: Any) -> dict[str, Any]:
        if isinstance(criterion, c.Throughput | c.Query | c.Mix):
            return await self.load(criterion)
        if isinstance(criterion, c.Latency):
            return await self.latency(criterion)
        if isinstance(criterion, c.Trace):
            return await self.trace(criterion)
        if isinstance(criterion, c.Resilience):
            return await self.resilience(criterion)
        if isinstance(criterion, c.Privacy):
            return await self.privacy(criterion)
        raise ValueError(f"no measurement for {criterion.kind}")


def time_cold_start_and_reset(
    network: FabricNetwork, reset_runs: int, progress: Progress, *, fresh: bool
) -> dict[str, Any]:
    """Cold start (empty state to a committed contract) and reset (restore a snapshot), on a network of our own.

    ``fresh``: bring ``network`` down first and up again (a scratch network); otherwise only the reset.
    """
    figures: dict[str, Any] = {}
    if fresh:
        network.down(lambda _m: None)
        progress("cold start: empty state -> chaincode committed")
        started = time.monotonic()
        network.up(lambda m: progress(f"  {m}"))
        figures["cold_start_s"] = round(time.monotonic() - started, 2)
    if reset_runs:
        progress(f"reset: snapshot, then restore it {reset_runs}x")
        network.save_snapshot("poc", lambda _m: None)
        runs = [round(network.restore_snapshot("poc", lambda _m: None), 2) for _ in range(reset_runs)]
        figures["reset_runs_s"] = runs
    return figures
