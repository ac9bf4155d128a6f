"""``make caliper``: run Hyperledger Caliper 0.6.0 against the running network and keep its figures.

Caliper is the benchmark a customer's team already knows, so its figures sit beside the kit's own in
the POC report. It is installed by this module with npm into the kit's cache folder (never a
dependency of the kit): ``@hyperledger/caliper-cli@0.6.0``, then bound to the peer gateway SUT
(``caliper bind --caliper-bind-sut fabric:fabric-gateway``, which installs @hyperledger/fabric-gateway).
0.6.0 because 0.7 needs Node 22. The workspace comes from :mod:`fabdemo.poc.caliper_workspace`; the
round table of Caliper's ``report.html`` becomes dicts with Caliper's fields (``succ``, ``fail``,
``send_rate``, ``max_latency``, ``min_latency``, ``avg_latency`` in seconds, ``throughput``), written
to ``poc-report/caliper.json`` with the CPU the Fabric nodes used meanwhile.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from fabdemo import context
from fabdemo.bench.resources import ResourceWindow, network_nodes
from fabdemo.connections import connect_org
from fabdemo.network.manager import FabricNetwork
from fabdemo.poc import caliper_workspace
from fabdemo.poc.caliper_workspace import CaliperRound, Workspace
from fabdemo.settings import Settings, get_settings

CALIPER_VERSION = "0.6.0"
SUT = "fabric:fabric-gateway"
PACKAGE_JSON = {
    "name": "fabdemo-caliper",
    "private": True,
    "version": "1.0.0",
    "description": "Hyperledger Caliper for the Fabric demo kit (installed by make caliper; not part of the kit)",
    "dependencies": {"@hyperledger/caliper-cli": CALIPER_VERSION},
}
# Caliper's column names -> the keys of our rounds (the names the POC report renders).
COLUMNS = {
    "Name": "name",
    "Succ": "succ",
    "Fail": "fail",
    "Send Rate (TPS)": "send_rate",
    "Max Latency (s)": "max_latency",
    "Min Latency (s)": "min_latency",
    "Avg Latency (s)": "avg_latency",
    "Throughput (TPS)": "throughput",
}
DEFAULT_OUT = Path("poc-report") / "caliper.json"

Progress = Callable[[str], None]


class CaliperError(RuntimeError):
    pass


def _log(message: str) -> None:
    print(f"[caliper] {message}", file=sys.stderr, flush=True)


# -- install ---------------------------------------------------------------------------------------------


def install_dir(cache_dir: Path) -> Path:
    return cache_dir / f"caliper-{CALIPER_VERSION}"


def caliper_bin(folder: Path) -> Path:
    return folder / "node_modules" / ".bin" / "caliper"


def install(cache_dir: Path, progress: Progress = _log) -> Path:
    """Install Caliper and its fabric-gateway binding once into the cache; later calls reuse it."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise CaliperError("Caliper needs Node.js 18-20 with npm (node and npm are not on PATH)")
    folder = install_dir(cache_dir)
    stamp = folder / ".bound"
    wanted = json.dumps(PACKAGE_JSON, indent=2)
    if stamp.is_file() and stamp.read_text() == wanted and caliper_bin(folder).exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(wanted)
    steps = [
        (["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], f"caliper-cli {CALIPER_VERSION}"),
        ([str(caliper_bin(folder)), "bind", "--caliper-bind-sut", SUT, "--caliper-bind-cwd", str(folder)], SUT),
    ]
    for command, what in steps:
        progress(f"installing {what} into {folder} (npm; once)")
        started = time.monotonic()
        proc = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise CaliperError(f"{' '.join(command[:3])} failed:\n{(proc.stderr or proc.stdout)[-2000:]}")
        progress(f"installed {what} in {time.monotonic() - started:.0f} s")
    stamp.write_text(wanted)
    return folder


def gateway_version(folder: Path) -> str | None:
    manifest = folder / "node_modules" / "@hyperledger" / "fabric-gateway" / "package.json"
    return json.loads(manifest.read_text()).get("version") if manifest.is_file() else None


# -- the report ------------------------------------------------------------------------------------------


class _SummaryTable(HTMLParser):
    """The rows of the first table in Caliper's report (``Summary of performance metrics``)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._tables = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._tables += 1
        elif self._tables == 1 and tag == "tr":
            self.rows.append([])
        elif self._tables == 1 and tag in ("td", "th") and self.rows:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _number(text: str) -> float | int | None:
    if text in ("", "-", "NaN"):
        return None
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def parse_report(html: str) -> list[dict]:
    """Caliper's summary table as one dict per round (latencies in seconds, rates in TPS)."""
    parser = _SummaryTable()
    parser.feed(html)
    rows = [r for r in parser.rows if r]
    if not rows or rows[0][:2] != ["Name", "Succ"]:
        raise CaliperError("no summary table (Name, Succ, ...) in Caliper's report.html")
    head = rows[0]
    missing = set(COLUMNS) - set(head)
    if missing:
        raise CaliperError(f"Caliper's summary table lacks the columns {sorted(missing)}")
    rounds = []
    for row in rows[1:]:
        cells = dict(zip(head, row, strict=False))
        rounds.append({key: cells[col] if key == "name" else _number(cells[col]) for col, key in COLUMNS.items()})
    return rounds


# -- running ---------------------------------------------------------------------------------------------


def ensure_product(network: FabricNetwork, org_key: str, product_id: str) -> None:
    """Define the product the rounds harvest, once (HarvestLot refuses an unknown product)."""
    from fabric_gateway import EndorseError

    org = network.topology.peer_org(org_key)
    with connect_org(network.topology, network.layout, org) as gateway:
        contract = gateway.get_network(network.topology.channel_name).get_contract(network.topology.chaincode.name)
        try:
            contract.submit_transaction("DefineProduct", product_id, "POC lettuce", "1", "4")
        except EndorseError as err:
            if err.chaincode_code != "ALREADY_EXISTS":
                raise


def launch(folder: Path, ws: Workspace, progress: Progress = _log) -> tuple[str, float]:
    """``caliper launch manager`` on the workspace; its console output and how long it ran."""
    ws.report.unlink(missing_ok=True)
    command = [
        str(caliper_bin(folder)),
        "launch",
        "manager",
        "--caliper-workspace",
        str(ws.root),
        "--caliper-networkconfig",
        caliper_workspace.NETWORK_FILE,
        "--caliper-benchconfig",
        caliper_workspace.BENCHMARK_FILE,
        "--caliper-report-path",
        caliper_workspace.REPORT_FILE,
        "--caliper-flow-only-test",
    ]
    # The workload modules live in the workspace, Caliper's packages in the cache: NODE_PATH joins them.
    env = {**os.environ, "NODE_PATH": str(folder / "node_modules")}
    budget = sum(r.duration_s for r in ws.rounds) + 60 * len(ws.rounds) + 120
    progress(f"caliper launch manager: {len(ws.rounds)} round(s), {sum(r.duration_s for r in ws.rounds):.0f} s of load")
    started = time.monotonic()
    proc = subprocess.run(command, cwd=ws.root, env=env, capture_output=True, text=True, timeout=budget, check=False)
    elapsed = time.monotonic() - started
    output = proc.stdout + proc.stderr
    (ws.root / "caliper.log").write_text(output)
    if proc.returncode != 0 or not ws.report.is_file():
        raise CaliperError(
            f"caliper launch manager failed (exit {proc.returncode}); see {ws.root}/caliper.log:\n{output[-3000:]}"
        )
    return output, elapsed


def _rounds(
    criteria: Path | None, duration: float | None, progress: Progress
) -> tuple[tuple[CaliperRound, ...], str, str | None]:
    rounds: tuple[CaliperRound, ...] = caliper_workspace.DEFAULT_ROUNDS
    source, product_id = "defaults", None
    if criteria is not None and criteria.is_file():
        try:
            found, product_id = caliper_workspace.rounds_from_criteria(criteria)
        except ValueError as err:  # CriteriaError included: make poc names every problem
            progress(f"{criteria} does not parse ({str(err).splitlines()[0]}); using the default rounds")
        else:
            if found:
                rounds, source = found, str(criteria)
            else:
                progress(f"{criteria} has no throughput or query criteria; using the default rounds")
    if duration is not None:
        rounds = tuple(dataclasses.replace(r, duration_s=duration) for r in rounds)
    return rounds, source, product_id


def run(
    network: FabricNetwork,
    settings: Settings,
    *,
    criteria: Path | None = None,
    duration: float | None = None,
    workspace: Path | None = None,
    org_key: str = "farm",
    progress: Progress = _log,
) -> dict:
    """Write the workspace, run Caliper on ``network`` and return the figures (what caliper.json holds)."""
    if not network.nodes.all_running_and_healthy():
        raise CaliperError(f"the network in {network.layout.root} is not running; start it with `make up`")
    folder = install(settings.cache_dir, progress)
    rounds, source, product_id = _rounds(criteria, duration, progress)
    org = network.topology.peer_org(org_key)
    product = product_id or caliper_workspace.BENCH_PRODUCT[0]
    ws = caliper_workspace.write(
        workspace or network.layout.root / "caliper-workspace",
        network.topology,
        network.layout,
        org,
        rounds,
        product_id=product,
        source=source,
    )
    progress(f"workspace: {ws.root}")
    ensure_product(network, org_key, product)
    window = ResourceWindow(network_nodes(network), include_client=False).start()
    started_at = dt.datetime.now(dt.UTC)
    _output, elapsed = launch(folder, ws, progress)
    window.stop()
    results = parse_report(ws.report.read_text())
    by_label = {r.label: r for r in rounds}
    for result in results:
        rnd = by_label.get(result["name"])
        if rnd is not None:
            result.update(operation=rnd.operation, duration_s=rnd.duration_s, rate_control=rnd.rate_control)
    succeeded = sum(r["succ"] or 0 for r in results)
    return {
        "tool": "Hyperledger Caliper",
        "version": CALIPER_VERSION,
        "sut": SUT,
        "fabric_gateway_version": gateway_version(folder),
        "workers": 1,
        "source": source,
        "org": org.msp_id,
        "started_at": started_at.isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 1),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "node": _node_version()},
        "workspace": str(ws.root),
        "report_html": str(ws.report),
        "rounds": results,
        # CPU of the Fabric nodes over the whole launch (the read round's pool and Caliper's start included).
        "resources": window.report(succeeded),
    }


def _node_version() -> str | None:
    try:
        return subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def write_result(result: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    report = Path(result["report_html"])
    if report.is_file():
        shutil.copyfile(report, out.with_name("caliper-report.html"))


def format_table(rounds: list[dict]) -> str:
    head = list(COLUMNS)
    rows = [[str(r[key]) if r[key] is not None else "-" for key in COLUMNS.values()] for r in rounds]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make caliper", description=__doc__.splitlines()[0])
    parser.add_argument("--criteria", type=Path, default=Path("poc/criteria.yaml"), help="rounds from this file")
    parser.add_argument("--duration", type=float, help="seconds of load per round (overrides the rounds')")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--workspace", type=Path, help="where to write the workspace (default: <state>/caliper-workspace)"
    )
    parser.add_argument("--org", default="farm", help="the org whose User1 sends (default farm)")
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        network = context.open_network(settings, _log)
        result = run(
            network,
            settings,
            criteria=args.criteria,
            duration=args.duration,
            workspace=args.workspace,
            org_key=args.org,
        )
    except (CaliperError, FileNotFoundError, subprocess.TimeoutExpired) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    write_result(result, args.out)
    print(format_table(result["rounds"]))
    print(f"Caliper's figures: {args.out} (its own report: {args.out.with_name('caliper-report.html')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
