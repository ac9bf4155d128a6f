"""The faults of ``make chaos``, each while the load runs, and how long the peers take to catch up.

One network of its own (ports shifted by 11300, state under ``.bench/``), one in-process web app over it,
and in turn: (a) SIGKILL the Raft leader, (b) SIGKILL a peer other than the caller's gateway, (c) SIGKILL a
chaincode server, (d) stop the app mid-submit and start a new one, (e) stop every node and resume (a
laptop that slept), (f) two of three orderers down. Every answer is then checked against the ledger.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fabdemo import context
from fabdemo.api.app import create_app
from fabdemo.appserver import InProcessServer
from fabdemo.chaos.load import ACKNOWLEDGED, Answer, Load, Target, check_ledger, define_product, tally
from fabdemo.connections import connect_org_async
from fabdemo.network.manager import FabricNetwork
from fabdemo.network.nodes import NodeKind, NodeSpec
from fabdemo.settings import REPO_ROOT, Settings

CHAOS_PORT_OFFSET = 11300
STATE_DIR = REPO_ROOT / ".bench" / "chaos-state"
CATCH_UP_TARGET_S = 10.0
SUCCESS_TARGET = 0.995
CALLER_ORG = "farm"  # the load acts as the farm, through the farm's peer (its gateway)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Plan:
    submits: int  # per scenario
    concurrency: int


SHORT = Plan(submits=150, concurrency=16)
FULL = Plan(submits=1000, concurrency=32)


class ChaosRun:
    def __init__(self, network: FabricNetwork, settings: Settings, plan: Plan, progress: Progress) -> None:
        self.network = network
        self.settings = settings
        self.plan = plan
        self.progress = progress
        self.server: InProcessServer | None = None
        self.target = Target("")

    # -- the app ----------------------------------------------------------------------------------------
    def start_app(self) -> None:
        self.server = InProcessServer(create_app(self.settings, network=self.network)).__enter__()
        self.target.url = self.server.url

    def stop_app(self) -> None:
        if self.server is not None:
            self.server.__exit__(None, None, None)
            self.server = None

    # -- node faults --------------------------------------------------------------------------------------
    def spec(self, kind: NodeKind, org_key: str | None = None) -> NodeSpec:
        return next(s for s in self.network.nodes.specs() if s.kind == kind and org_key in (None, s.org_key))

    def kill(self, spec: NodeSpec) -> None:
        """SIGKILL by the pid the runtime recorded (no clean shutdown), or stop where there is no pid."""
        pid = self.network.runtime.pid(spec)
        if pid is None:
            self.network.nodes.stop_node(spec.name)
            return
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while self.network.runtime.is_running(spec) and time.monotonic() < deadline:
            time.sleep(0.05)

    def catch_up(self) -> float:
        """Seconds until every running peer has the same ledger height."""
        started = time.monotonic()
        self.network.nodes.wait_for_equal_heights((NodeKind.PEER,), timeout=60)
        return round(time.monotonic() - started, 2)

    # -- one scenario -------------------------------------------------------------------------------------
    async def scenario(
        self, key: str, title: str, fault: Callable[[Load], Awaitable[dict[str, Any]]], *, quorum: bool = True
    ) -> dict[str, Any]:
        self.progress(f"scenario {key}: {title}")
        load = Load(self.target, f"LOT-CHAOS-{key.upper()}-{int(time.time())}", self.plan.concurrency)
        started = time.monotonic()
        extra = await fault(load)
        figures = await self.verify(load.answers, quorum)  # after every node is back: the final word
        phases: dict[str, tuple[list[Answer], bool]] = extra.pop("phases", {})
        for name, (answers, phase_quorum) in phases.items():
            figures[name] = tally(answers, phase_quorum)
        figures.update(extra, scenario=key, title=title, seconds=round(time.monotonic() - started, 1))
        self.progress(
            f"  {figures['acknowledged']}/{figures['submits']} acknowledged, {figures['lost']} lost, "
            f"catch-up {figures.get('catch_up_s')}s"
        )
        return figures

    async def verify(self, answers: list[Answer], quorum: bool) -> dict[str, Any]:
        topology = self.network.topology
        org = next(o for o in topology.peer_orgs if o.key == CALLER_ORG)
        gateway = await connect_org_async(topology, self.network.layout, org)
        try:
            contract = gateway.get_network(topology.channel_name).get_contract(topology.chaincode.name)
            await check_ledger(contract, answers)
        finally:
            await gateway.close()
        return tally(answers, quorum)

    async def kill_during_load(self, load: Load, spec: NodeSpec) -> dict[str, Any]:
        """Kill ``spec`` a fifth of the way in, let the load finish without it, restart it, time catch-up."""
        task = asyncio.create_task(load.run(self.plan.submits))
        await load.until_issued(self.plan.submits // 5)
        await asyncio.to_thread(self.kill, spec)
        await task
        await asyncio.to_thread(self.network.nodes.start_node, spec.name)
        return {"killed": spec.name, "catch_up_s": await asyncio.to_thread(self.catch_up)}

    async def raft_leader(self, load: Load) -> dict[str, Any]:
        leader = await asyncio.to_thread(self.network.nodes.raft_leader)
        assert leader is not None, "no Raft leader before the fault"
        return await self.kill_during_load(load, self.network.nodes.spec(leader))

    async def peer(self, load: Load) -> dict[str, Any]:
        return await self.kill_during_load(load, self.spec(NodeKind.PEER, "processor"))

    async def chaincode(self, load: Load) -> dict[str, Any]:
        return await self.kill_during_load(load, self.spec(NodeKind.CHAINCODE, "processor"))

    async def app(self, load: Load) -> dict[str, Any]:
        """Stop the app a third of the way in, in the middle of submits, and start a new one."""
        task = asyncio.create_task(load.run(self.plan.submits))
        await load.until_issued(self.plan.submits // 3)
        stopped = time.monotonic()
        await asyncio.to_thread(self.stop_app)
        await asyncio.to_thread(self.start_app)
        restart = round(time.monotonic() - stopped, 2)
        await task
        return {"app_restart_s": restart, "catch_up_s": await asyncio.to_thread(self.catch_up)}

    async def sleep(self, load: Load) -> dict[str, Any]:
        """Every node stops with submits in flight; the network resumes; new submits wait for it (a laptop lid)."""
        task = asyncio.create_task(load.run(self.plan.submits))
        await load.until_issued(self.plan.submits // 3)
        load.gate.clear()
        specs = self.network.nodes.specs()
        await asyncio.to_thread(self.network.nodes.stop_all, specs)
        await asyncio.sleep(1.0)
        resumed = time.monotonic()
        await asyncio.to_thread(self.network.up, lambda _m: None)
        resume_s = round(time.monotonic() - resumed, 2)
        catch_up_s = await asyncio.to_thread(self.catch_up)
        load.gate.set()
        await task
        return {"resume_s": resume_s, "catch_up_s": catch_up_s}

    async def orderers(self, load: Load) -> dict[str, Any]:
        """Two of three orderers down (the leader among them): submits must fail, none be acknowledged.

        One wave of submits runs while they are down, then they come back and the rest must succeed.
        """
        nodes = self.network.nodes
        leader = await asyncio.to_thread(nodes.raft_leader)
        orderers = [s for s in nodes.specs() if s.kind == NodeKind.ORDERER]
        down = sorted(orderers, key=lambda s: s.name != leader)[:2]
        for spec in down:
            await asyncio.to_thread(nodes.stop_node, spec.name)
        await load.run(self.plan.concurrency)
        during = list(load.answers)
        for spec in down:
            await asyncio.to_thread(nodes.start_node, spec.name)
        restarted = time.monotonic()
        await asyncio.to_thread(nodes.wait_for_raft_leader)
        back_s = round(time.monotonic() - restarted, 2)
        catch_up_s = await asyncio.to_thread(self.catch_up)
        await load.run(self.plan.submits - self.plan.concurrency)
        return {
            "stopped": [s.name for s in down],
            "catch_up_s": catch_up_s,
            "leader_back_s": back_s,
            "acknowledged_while_down": sum(a.outcome == ACKNOWLEDGED for a in during),
            "max_failure_s": round(max((a.seconds for a in during if a.outcome != ACKNOWLEDGED), default=0.0), 2),
            "phases": {"while_down": (during, False), "once_back": (load.answers[len(during) :], True)},
        }

    async def all(self, only: set[str] | None = None) -> list[dict[str, Any]]:
        scenarios: list[tuple[str, str, Callable[[Load], Awaitable[dict[str, Any]]], bool]] = [
            ("a", "SIGKILL the Raft leader", self.raft_leader, True),
            ("b", "SIGKILL a peer that is not the caller's gateway", self.peer, True),
            ("c", "SIGKILL a chaincode server", self.chaincode, True),
            ("d", "stop the app mid-submit, start a new one", self.app, True),
            ("e", "stop every node and resume (laptop sleep)", self.sleep, False),
            ("f", "two of three orderers down, then back", self.orderers, False),
        ]
        self.start_app()
        try:
            await asyncio.to_thread(define_product, self.target.url)
            return [
                await self.scenario(key, title, fault, quorum=quorum)
                for key, title, fault, quorum in scenarios
                if only is None or key in only
            ]
        finally:
            self.stop_app()


def run(plan: Plan, progress: Progress, only: set[str] | None = None) -> dict[str, Any]:
    """Up a network of its own, run the scenarios, take it down; return the report."""
    settings = Settings(state_dir=STATE_DIR, port_offset=CHAOS_PORT_OFFSET)
    network = context.open_network(settings, progress=progress)
    network.down(lambda _m: None)  # leftovers of an interrupted run
    started = time.monotonic()
    try:
        network.up(progress)
        results = asyncio.run(ChaosRun(network, settings, plan, progress).all(only))
    finally:
        network.down(lambda _m: None)
    return {
        "plan": {"submits_per_scenario": plan.submits, "concurrency": plan.concurrency},
        "runtime": type(network.runtime).__name__,
        "seconds": round(time.monotonic() - started, 1),
        "targets": {"lost": 0, "success_ratio": SUCCESS_TARGET, "catch_up_s": CATCH_UP_TARGET_S},
        "scenarios": results,
    }


def missed_targets(report: dict[str, Any]) -> list[str]:
    """Every target a report misses, in words (empty: all met)."""
    missed = []
    for s in report["scenarios"]:
        key = s["scenario"]
        if s["lost"]:
            missed.append(f"({key}) {s['lost']} acknowledged submits are not on the ledger")
        if s["failed_but_on_ledger"]:
            missed.append(f"({key}) {s['failed_but_on_ledger']} submits reported failed are on the ledger")
        if s["quorum_remains"] and (s["success_ratio"] or 0) < SUCCESS_TARGET:
            missed.append(f"({key}) success ratio {s['success_ratio']} < {SUCCESS_TARGET}")
        if s.get("catch_up_s") is not None and s["catch_up_s"] > CATCH_UP_TARGET_S:
            missed.append(f"({key}) peers caught up in {s['catch_up_s']}s > {CATCH_UP_TARGET_S}s")
        if "acknowledged_while_down" in s:
            if s["acknowledged_while_down"]:
                missed.append(f"({key}) {s['acknowledged_while_down']} acknowledged with two orderers down")
            if (s["once_back"]["success_ratio"] or 0) < SUCCESS_TARGET:
                missed.append(f"({key}) after the orderers came back: {s['once_back']['success_ratio']}")
    return missed
