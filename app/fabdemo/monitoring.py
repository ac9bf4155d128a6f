"""``make monitoring``: a Prometheus scrape configuration for every node, and a local Prometheus if installed.

The orderers' and peers' operations endpoints serve ``/metrics`` over TLS; ``/metrics`` wants a client
certificate of the org's TLS CA. So there is one scrape job per org (each org has its own TLS CA),
each with that CA and the org admin's TLS client certificate, the material the kit's own status view
uses (``NodeSpec.ops_client_tls``). Every target carries ``node``, ``kind`` and ``org`` labels, which
the shipped Grafana dashboard (``monitoring/grafana-dashboard.json``) groups by.

The configuration goes into ``<state>/monitoring/prometheus.yml``. Where Debian's ``prometheus``
package is installed, ``make monitoring`` also starts it on 127.0.0.1 (port 9090 shifted by the port
offset), storing its data in the state folder, and ``make monitoring-stop`` stops it by its recorded
pid (:mod:`fabdemo.runtime.processes`, the one pid manager).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fabdemo import context
from fabdemo.network.manager import FabricNetwork
from fabdemo.network.nodes import NodeKind
from fabdemo.runtime import processes
from fabdemo.settings import get_settings
from fabdemo.waiting import wait_until

PROMETHEUS_PORT = 9090
SCRAPE_INTERVAL = "5s"
DASHBOARD = Path(__file__).resolve().parents[2] / "monitoring" / "grafana-dashboard.json"


@dataclass(frozen=True)
class MonitoringPaths:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "prometheus.yml"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "prometheus.log"

    @property
    def pid_file(self) -> Path:
        return self.root / "prometheus.pid"


def paths(network: FabricNetwork) -> MonitoringPaths:
    return MonitoringPaths(network.layout.root / "monitoring")


def listen_address(port_offset: int) -> str:
    return f"127.0.0.1:{PROMETHEUS_PORT + port_offset}"


def scrape_config(network: FabricNetwork) -> dict[str, Any]:
    """The Prometheus configuration: one job per org, one target per orderer or peer."""
    jobs: dict[str, dict[str, Any]] = {}
    for node in network.nodes.nodes():
        spec = node.spec
        if spec.kind not in (NodeKind.ORDERER, NodeKind.PEER) or not spec.operations_address or not spec.tls_ca:
            continue
        job = jobs.get(spec.org_key)
        if job is None:
            tls: dict[str, Any] = {"ca_file": str(spec.tls_ca)}
            if spec.ops_client_tls:
                tls["cert_file"] = str(spec.ops_client_tls / "client.crt")
                tls["key_file"] = str(spec.ops_client_tls / "client.key")
            job = jobs[spec.org_key] = {
                "job_name": f"fabric-{spec.org_key}",
                "scheme": "https",
                "metrics_path": "/metrics",
                "tls_config": tls,
                "static_configs": [],
            }
        job["static_configs"].append(
            {
                "targets": [spec.operations_address],
                "labels": {"node": spec.name, "kind": str(spec.kind), "org": spec.msp_id},
            }
        )
    return {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "evaluation_interval": "15s"},
        "scrape_configs": list(jobs.values()),
    }


def write_config(network: FabricNetwork) -> Path:
    where = paths(network)
    where.root.mkdir(parents=True, exist_ok=True)
    header = "# Written by `make monitoring` for the network in this state folder; rewritten on every run.\n"
    where.config.write_text(header + yaml.safe_dump(scrape_config(network), sort_keys=False))
    return where.config


def check_config(config: Path) -> str | None:
    """``promtool check config`` when promtool is installed: None if valid, else its message."""
    promtool = shutil.which("promtool")
    if promtool is None:
        return None
    proc = subprocess.run([promtool, "check", "config", str(config)], capture_output=True, text=True, check=False)
    return None if proc.returncode == 0 else (proc.stdout + proc.stderr).strip()


def start(network: FabricNetwork, port_offset: int) -> tuple[int, str] | None:
    """Start Prometheus on the written configuration (idempotent); None when it is not installed."""
    binary = shutil.which("prometheus")
    if binary is None:
        return None
    where = paths(network)
    address = listen_address(port_offset)
    running = processes.running_record(where.pid_file)
    if running is not None:
        return running.pid, address
    command = [
        binary,
        f"--config.file={where.config}",
        f"--storage.tsdb.path={where.data}",
        f"--web.listen-address={address}",
        "--storage.tsdb.retention.time=2d",
    ]
    record = processes.start(command, {}, where.root, where.log, where.pid_file)
    wait_until(lambda: _ready(address), 30.0, interval=0.2, what=f"Prometheus at {address} to be ready")
    return record.pid, address


def _ready(address: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{address}/-/ready", timeout=1) as resp:
            return resp.status == 200
    except OSError:
        return False


def targets(address: str) -> list[dict[str, Any]]:
    """Prometheus's view of its targets: node label, health ("up", "down", "unknown") and last error."""
    with urllib.request.urlopen(f"http://{address}/api/v1/targets?state=active", timeout=5) as resp:
        active = json.load(resp)["data"]["activeTargets"]
    return [{"node": t["labels"].get("node"), "health": t["health"], "error": t.get("lastError", "")} for t in active]


def stop(network: FabricNetwork) -> bool:
    return processes.stop(paths(network).pid_file)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make monitoring", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("start", "stop", "config"), nargs="?", default="start")
    args = parser.parse_args(argv)
    settings = get_settings()
    network = context.open_network(settings)
    if args.action == "stop":
        print("Prometheus stopped." if stop(network) else "Prometheus was not running.")
        return 0
    if not network.is_bootstrapped() or not network.nodes.all_running_and_healthy():
        print(f"note: the network in {network.layout.root} is not (fully) up; start it with `make up`", file=sys.stderr)
    config = write_config(network)
    print(f"Prometheus scrape configuration: {config}")
    problem = check_config(config)
    if problem:
        print(f"error: promtool check config failed:\n{problem}", file=sys.stderr)
        return 1
    print(f"Grafana dashboard to import: {DASHBOARD}")
    if args.action == "config":
        return 0
    started = start(network, settings.port_offset)
    if started is None:
        print("Prometheus is not installed (Debian: apt-get install prometheus); point yours at the file above.")
        return 0
    pid, address = started
    print(f"Prometheus (pid {pid}) at http://{address}/targets; stop it with `make monitoring-stop`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
