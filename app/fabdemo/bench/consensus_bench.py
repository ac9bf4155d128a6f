"""Raft against SmartBFT, side by side: cold start, lone-transaction latency, saturation throughput.

Each consensus type gets a network of its own from an empty state folder (ports shifted by 12600, on
the native runtime, demo batch profile), measured the same way, then taken down:

- cold start: empty state -> chaincode committed and roles recorded (what ``make up`` waits for);
- lone-transaction latency: sequential submits, each waiting for its commit;
- saturation throughput: the best rate over a few concurrency levels, with the orderers' CPU per
  transaction (BFT orders with more messages and signs every block on a quorum of nodes);
- a fault: submit-to-commit of the first transaction after the leader is stopped (Raft elects, BFT
  changes view).

Run alone with ``python -m fabdemo.bench.consensus_bench`` (``make bench-consensus``), or as part of
``make bench``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from fabdemo import context
from fabdemo.bench import resources, workload
from fabdemo.connections import connect_org, connect_org_async
from fabdemo.network.manager import FabricNetwork
from fabdemo.network.topology import CONSENSUS_TYPES
from fabdemo.settings import Settings, get_settings
from fabric_gateway import SubmitError

CONSENSUS_PORT_OFFSET = 12600
LEVELS = (8, 32, 64)  # transactions in flight; the best rate is the saturation figure
TOTAL = 400  # submits per level


def _cold_start(network: FabricNetwork) -> float:
    network.down(lambda _m: None)
    started = time.monotonic()
    network.up(lambda _m: None)
    return round(time.monotonic() - started, 2)


def _latency(network: FabricNetwork, count: int) -> dict:
    topology = network.topology
    with connect_org(topology, network.layout, topology.orgs_with_role("grower")[0]) as gateway:
        contract = gateway.get_network(topology.channel_name).get_contract(topology.chaincode.name)
        workload.ensure_product(contract)
        workload.sequential_latency(contract, 5)  # warm-up: connections, chaincode servers
        return workload.sequential_latency(contract, count)


async def _levels(network: FabricNetwork, prefix: str) -> list[dict]:
    topology = network.topology
    gateway = await connect_org_async(topology, network.layout, topology.orgs_with_role("grower")[0])
    async with gateway:
        contract = gateway.get_network(topology.channel_name).get_contract(topology.chaincode.name)
        results = []
        for concurrency in LEVELS:
            window = resources.ResourceWindow(resources.network_nodes(network)).start()
            result = await workload.concurrent_submits(contract, concurrency, TOTAL, f"{prefix}-c{concurrency}")
            cpu = window.stop().report(TOTAL - result["failures"])
            result["cpu_ms_per_tx_by_kind"] = cpu["cpu_ms_per_tx_by_kind"]
            results.append(result)
        return results


def _submit_until_ordered(contract, lot_id: str, budget_s: float = 30.0) -> None:
    """Endorse once, then re-send the same signed transaction until an orderer takes it, and wait for commit.

    What the service's RetryPolicy does: while Raft elects, no orderer accepts the transaction; the
    same transaction id can be ordered at most once, so re-sending is safe.
    """
    transaction = contract.new_proposal("HarvestLot", arguments=workload.harvest_args(lot_id)).endorse()
    deadline = time.monotonic() + budget_s
    while True:
        try:
            submitted = transaction.submit()
            break
        except SubmitError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    if not submitted.get_status().successful:
        raise RuntimeError(f"{lot_id} did not commit after the leader stopped")


def _leader_failover(network: FabricNetwork) -> dict:
    """Stop the leader, time the next commit (it waits for the new leader), start it again, catch up."""
    topology = network.topology
    nodes = network.nodes
    leader = nodes.leader()
    with connect_org(topology, network.layout, topology.orgs_with_role("grower")[0]) as gateway:
        contract = gateway.get_network(topology.channel_name).get_contract(topology.chaincode.name)
        nodes.stop_node(leader)
        started = time.perf_counter()
        _submit_until_ordered(contract, f"FAIL-{uuid.uuid4().hex[:10]}")
        first_commit = time.perf_counter() - started
        after = workload.sequential_latency(contract, 5)
    nodes.start_node(leader)
    started = time.perf_counter()
    nodes.wait_for_equal_heights(what=f"{leader} to catch up")
    return {
        "stopped": leader,
        "first_commit_after_stop_ms": round(first_commit * 1000, 1),
        "next_5_commits_p50_ms": after.get("p50_ms"),
        "new_leader": nodes.leader(),
        "peers_equal_after_restart_s": round(time.perf_counter() - started, 2),
    }


def measure_one(base: Settings, consensus: str, log: Callable[[str], None], latency_count: int = 30) -> dict:
    settings = base.model_copy(update={"consensus": consensus, "runtime": "native"})
    network = context.open_network(settings)
    topology = network.topology
    figures: dict = {
        "orderers": len(topology.orderer_org.nodes),
        "tolerates": topology.fault_tolerance,
        "faults": "byzantine" if topology.is_bft else "crash",
    }
    try:
        log(f"{consensus}: cold start")
        figures["cold_start_s"] = _cold_start(network)
        log(f"{consensus}: lone-transaction latency over {latency_count} submits")
        figures["lone_tx_latency"] = _latency(network, latency_count)
        log(f"{consensus}: saturation, {TOTAL} submits at {', '.join(map(str, LEVELS))} in flight")
        levels = asyncio.run(_levels(network, f"{consensus.upper()}{dt.datetime.now(dt.UTC):%H%M%S}"))
        best = max(levels, key=lambda r: r["tps"])
        figures["levels"] = levels
        figures["saturation_tps"] = best["tps"]
        figures["saturation_at_concurrency"] = best["concurrency"]
        figures["orderer_cpu_ms_per_tx_at_saturation"] = best["cpu_ms_per_tx_by_kind"].get("orderer")
        log(f"{consensus}: the leader stops")
        figures["leader_failover"] = _leader_failover(network)
    finally:
        network.down(lambda _m: None)
    return figures


def compare(base: Settings, log: Callable[[str], None]) -> dict:
    """``{"raft": {...}, "bft": {...}}`` measured on the same machine, one after the other."""
    figures: dict = {
        "runtime": "native",
        "batch_profile": "demo",
        "workload": "HarvestLot, unique ids, submit + wait for commit, via FarmMSP's peer",
    }
    for consensus in CONSENSUS_TYPES:
        figures[consensus] = measure_one(base, consensus, log)
    return figures


def bench_settings(settings: Settings, work: Path) -> Settings:
    return Settings(
        state_dir=work / "consensus-state",
        port_offset=CONSENSUS_PORT_OFFSET,
        fabric_bin=settings.fabric_bin,
        cache_dir=settings.cache_dir,
    )


def main() -> int:
    settings = get_settings()
    work = settings.repo_root / ".bench"
    work.mkdir(exist_ok=True)
    figures = compare(bench_settings(settings, work), lambda m: print(f"[bench] {m}", file=sys.stderr, flush=True))
    out = work / f"consensus-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
    print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
