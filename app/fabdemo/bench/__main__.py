"""``make bench``: measure what a demo feels like and write the figures as JSON.

It runs on a network of its own (own state folder, ports shifted by 11800) so a running demo network
is left alone, and it stops that network at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

from fabdemo import context
from fabdemo.bench import (
    baseline,
    cc_bench,
    consensus_bench,
    contract_bench,
    dashboard_bench,
    fsma_bench,
    growth,
    identities_bench,
    node_client,
    resources,
    throughput,
    workload,
)
from fabdemo.connections import connect_org, connect_org_async
from fabdemo.network import binaries
from fabdemo.network.manager import FabricNetwork
from fabdemo.settings import Settings, get_settings

BENCH_PORT_OFFSET = 11800
CLIENT_LEVELS = [{"concurrency": 1, "total": 50}, {"concurrency": 8, "total": 200}, {"concurrency": 32, "total": 400}]


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def bench_binaries(settings: Settings, network_settings: Settings) -> dict:
    _settings, topology, _layout = context.load(network_settings)
    started = time.monotonic()
    install = binaries.ensure(settings.cache_dir, topology.fabric, settings.fabric_bin, log)
    located = time.monotonic() - started
    return {
        "source": install.source,
        "locate_or_build_s": round(located, 2),
        "last_build_s": binaries.recorded_build_seconds(settings.cache_dir, topology.fabric),
        "fabric_version": topology.fabric.version,
    }


def prepare_chaincode_copy(settings: Settings, work: Path) -> Path:
    """A copy of the chaincode source that the redeploy benchmark may edit."""
    copy = work / "chaincode-src"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(settings.chaincode_dir, copy, ignore=shutil.ignore_patterns("provenance", "bin"))
    return copy


def one_line_change(source: Path) -> None:
    """Change one line of Go that ends up in the binary, as a developer's edit would."""
    stamp = dt.datetime.now(dt.UTC).isoformat()
    (source / "bench_stamp.go").write_text(
        f'package main\n\nimport "log"\n\nfunc init() {{ log.Printf("bench build {stamp}") }}\n'
    )


def bench_network(network: FabricNetwork, batch_profile: str | None = None) -> dict:
    result: dict = {}
    network.down(lambda _m: None)
    log(f"cold start: empty state -> chaincode committed (batch profile {batch_profile or 'default'})")
    started = time.monotonic()
    network.up(log, batch_profile=batch_profile)
    result["cold_start_s"] = round(time.monotonic() - started, 2)

    one_line_change(network.ctx.chaincode_source)
    log("make deploy-cc after a one-line change")
    started = time.monotonic()
    network.deploy_chaincode(log)
    result["redeploy_after_change_s"] = round(time.monotonic() - started, 2)
    network.nodes.wait_for_gossip()
    return result


def bench_reset(network: FabricNetwork, runs: int = 3) -> dict:
    """`make reset`: rewind every ledger to a snapshot (taken now, after hundreds of transactions)."""
    log("reset: snapshot, then restore it")
    network.save_snapshot("bench", lambda _m: None)
    seconds = [network.restore_snapshot("bench", lambda _m: None) for _ in range(runs)]
    return {"runs": runs, "seconds": [round(s, 2) for s in seconds], "best_s": round(min(seconds), 2)}


def bench_latency(network: FabricNetwork, count: int) -> dict:
    farm = network.topology.orgs_with_role("grower")[0]
    with connect_org(network.topology, network.layout, farm) as gateway:
        contract = gateway.get_network(network.topology.channel_name).get_contract(network.topology.chaincode.name)
        workload.ensure_product(contract)
        workload.sequential_latency(contract, 5)  # warm-up: connections, chaincode servers
        log(f"submit-to-commit latency over {count} sequential transactions")
        return workload.sequential_latency(contract, count)


async def bench_python_client(network: FabricNetwork, levels: list[dict], prefix: str) -> list[dict]:
    farm = network.topology.orgs_with_role("grower")[0]
    gateway = await connect_org_async(network.topology, network.layout, farm)
    async with gateway:
        contract = gateway.get_network(network.topology.channel_name).get_contract(network.topology.chaincode.name)
        results = []
        for level in levels:
            log(f"python client: {level['total']} submits, {level['concurrency']} in flight")
            results.append(
                await workload.concurrent_submits(
                    contract, level["concurrency"], level["total"], f"{prefix}-c{level['concurrency']}"
                )
            )
        return results


def bench_clients(settings: Settings, network: FabricNetwork, levels: list[dict], with_node: bool) -> dict:
    run_id = dt.datetime.now(dt.UTC).strftime("%H%M%S")
    python = asyncio.run(bench_python_client(network, levels, f"PY{run_id}"))
    result: dict = {
        "workload": "HarvestLot, unique ids, submit + wait for commit, via FarmMSP's peer",
        "python": python,
    }
    if with_node:
        log("node client (@hyperledger/fabric-gateway): same levels")
        farm = network.topology.orgs_with_role("grower")[0]
        node = node_client.run(settings.cache_dir, network.topology, network.layout, farm, levels, f"JS{run_id}")
        result["node"] = node
        result["throughput_ratio_python_over_node"] = [
            {"concurrency": p["concurrency"], "ratio": round(p["tps"] / n["tps"], 2) if n["tps"] else None}
            for p, n in zip(python, node, strict=True)
        ]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fabdemo.bench")
    parser.add_argument("--out", type=Path, default=None, help="where to write the JSON figures")
    parser.add_argument("--skip-node", action="store_true", help="skip the official Node client comparison")
    parser.add_argument("--latency-count", type=int, default=50)
    parser.add_argument(
        "--full", action="store_true", help="the big curve points too (20,000 lots); make bench BENCH_FULL=1"
    )
    parser.add_argument(
        "--consensus",
        action="store_true",
        help="Raft vs SmartBFT too (two networks of their own, 2-3 min more); make bench CONSENSUS_BENCH=1",
    )
    parser.add_argument("--with-cc", action="store_true", help="own chaincode per language (bench/cc_bench.py)")
    parser.add_argument("--baseline", type=Path, default=baseline.BASELINE_FILE, help="figures to print ratios against")
    args = parser.parse_args(argv)

    settings = get_settings()
    work = settings.repo_root / ".bench"
    work.mkdir(exist_ok=True)
    network_settings = Settings(
        state_dir=work / "state",
        port_offset=BENCH_PORT_OFFSET,
        fabric_bin=settings.fabric_bin,
        cache_dir=settings.cache_dir,
    )
    figures: dict = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
    }
    figures["binaries"] = bench_binaries(settings, network_settings)
    chaincode_copy = prepare_chaincode_copy(settings, work)
    # cryptogen against Fabric CA identities, each from an empty state (before the main network starts)
    figures["identities_cold_start"] = identities_bench.compare(network_settings, chaincode_copy, log)
    network = context.open_network(network_settings, chaincode_source=chaincode_copy)
    try:
        figures["network"] = bench_network(network, settings.batch_profile)
        figures["commit_latency"] = bench_latency(network, args.latency_count)
        log("trace of a lot with 50 descendants")
        figures["trace_50_descendants"] = contract_bench.trace_with_descendants(network, 50)
        # Before the client benchmarks add ~1,300 lots: the dashboard figure is for 200 lots on the ledger.
        log("dashboard first load with 200 lots")
        figures["dashboard"] = dashboard_bench.measure_dashboard(network, lots=200)
        figures["reset"] = bench_reset(network)
        # Before the client and throughput benchmarks add thousands of lots: the lot curve starts at 200.
        figures["growth"] = growth.measure(network, log, full=args.full)
        figures["clients"] = bench_clients(settings, network, CLIENT_LEVELS, with_node=not args.skip_node)
        log("FSMA 204 spreadsheet of 1,000+ lots")
        figures["fsma204_report"] = fsma_bench.measure(network, lots=1000)
        figures["throughput"] = throughput.measure(network, log)
        figures["rss_mb_after_run"] = resources.rss_mb(resources.network_nodes(network))
    finally:
        network.down(lambda _m: None)
    # Own chaincode per language, on a network of its own after the main one is down (bench/cc_bench.py);
    # `make bench` asks for it (a few minutes of Maven, npm and three networks' worth of deploys).
    if args.with_cc:
        figures["own_chaincode"] = cc_bench.measure(settings, log)
    if args.consensus:  # Raft against SmartBFT, each on a network of its own (bench/consensus_bench.py)
        figures["consensus"] = consensus_bench.compare(consensus_bench.bench_settings(settings, work), log)

    out = args.out or work / f"bench-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
    print(f"Wrote {out}")
    if args.baseline.is_file():
        print(baseline.render(baseline.compare(figures, json.loads(args.baseline.read_text()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
