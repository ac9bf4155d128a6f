"""Where the CPU goes: Go CPU profiles of a peer and an orderer under the HarvestLot load.

``make bench-profile`` starts a network of its own with the ``pprof`` batch profile (the throughput
profile plus Go's pprof endpoints at each node's operations port + 1000), keeps 64 submits in flight,
takes a CPU profile of the farm's peer and of orderer1 at the same time, writes them (pprof protobuf)
and the ``go tool pprof -top`` tables to the output folder, and stops the network.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

from fabdemo import context
from fabdemo.bench import resources, workload
from fabdemo.connections import connect_org_async
from fabdemo.network.manager import FabricNetwork
from fabdemo.network.nodeconfig import pprof_port
from fabdemo.settings import Settings, get_settings

PROFILE_PORT_OFFSET = 12300  # clear of the test suite's offsets (10000, 11300, 11500-12100)


def log(message: str) -> None:
    print(f"[bench-profile] {message}", file=sys.stderr, flush=True)


def _targets(network: FabricNetwork) -> dict[str, int]:
    """The nodes profiled: the farm's peer (it endorses every HarvestLot and serves the client) and orderer1."""
    topology = network.topology
    farm = topology.orgs_with_role("grower")[0]
    return {
        farm.peer.host: pprof_port(farm.peer.operations_port),
        topology.orderer_org.nodes[0].host: pprof_port(topology.orderer_org.nodes[0].operations_port),
    }


def _fetch(port: int, seconds: int, out: Path) -> None:
    url = f"http://127.0.0.1:{port}/debug/pprof/profile?seconds={seconds}"
    with urllib.request.urlopen(url, timeout=seconds + 30) as answer:  # loopback, one of our nodes
        out.write_bytes(answer.read())


async def _load_and_profile(network: FabricNetwork, seconds: int, out_dir: Path) -> dict:
    farm = network.topology.orgs_with_role("grower")[0]
    gateway = await connect_org_async(network.topology, network.layout, farm)
    run = uuid.uuid4().hex[:6].upper()
    async with gateway:
        contract = gateway.get_network(network.topology.channel_name).get_contract(network.topology.chaincode.name)
        await contract.submit_transaction("DefineProduct", *workload.BENCH_PRODUCT)
        await workload.concurrent_submits(contract, 64, 200, f"PW{run}")
        total = int(seconds * 150)  # more than the profile window needs at this machine's rate
        load = asyncio.create_task(workload.concurrent_submits(contract, 64, total, f"PP{run}"))
        await asyncio.sleep(2)  # past the ramp-up
        window = resources.ResourceWindow(resources.network_nodes(network)).start()
        fetches = [
            asyncio.to_thread(_fetch, port, seconds, out_dir / f"{name}.cpu.pb.gz")
            for name, port in _targets(network).items()
        ]
        await asyncio.gather(*fetches)
        window.stop()
        result = await load
    return {"load": result, "window_cpu_s_by_process": window.cpu_by_process()}


def top_table(profile: Path, lines: int = 25) -> str:
    go = shutil.which("go")
    if go is None:
        return "(go not found: read the profile with `go tool pprof -top <file>`)"
    answer = subprocess.run(
        [go, "tool", "pprof", "-top", f"-nodecount={lines}", str(profile)], capture_output=True, text=True, check=False
    )
    return answer.stdout or answer.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fabdemo.bench.pprof")
    parser.add_argument("--out", type=Path, default=None, help="folder for the profiles (default .bench/pprof)")
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args(argv)
    settings = get_settings()
    out_dir = args.out or settings.repo_root / ".bench" / "pprof"
    out_dir.mkdir(parents=True, exist_ok=True)
    network_settings = Settings(
        state_dir=settings.repo_root / ".bench" / "pprof-state",
        port_offset=PROFILE_PORT_OFFSET,
        fabric_bin=settings.fabric_bin,
        cache_dir=settings.cache_dir,
    )
    network = context.open_network(network_settings)
    network.down(lambda _m: None)
    try:
        log("network with the pprof batch profile")
        network.up(log, batch_profile="pprof")
        log(f"64 HarvestLot in flight; {args.seconds}s CPU profiles of {', '.join(_targets(network))}")
        figures = asyncio.run(_load_and_profile(network, args.seconds, out_dir))
    finally:
        network.down(lambda _m: None)
    print(f"load: {figures['load']['tps']} TPS; CPU seconds in the window: {figures['window_cpu_s_by_process']}")
    for profile in sorted(out_dir.glob("*.cpu.pb.gz")):
        table = top_table(profile)
        (out_dir / f"{profile.name.removesuffix('.cpu.pb.gz')}.top.txt").write_text(table)
        print(f"\n== {profile.name}\n{table}")
    print(f"Profiles in {out_dir} (go tool pprof -http=: <file> for a flame graph)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
