"""``make doctor``: a preflight check before a meeting, printed as one table.

Each check says OK, WARN or FAIL with a one-line reason and what to do. The exit code is non-zero
only for FAIL: a warning (say, the network is not up yet) does not stop a sales engineer.
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass

from cryptography import x509

from fabdemo import context
from fabdemo.network import binaries, health
from fabdemo.network.manager import FabricNetwork
from fabdemo.settings import Settings
from fabdemo.storyboard.model import load_all, load_seed

OK, WARN, FAIL = "OK", "WARN", "FAIL"
MIN_FREE_DISK_GB = 2.0


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str


def _check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info[:2] == (3, 11)
    return Check("Python", OK if ok else WARN, f"{version}" + ("" if ok else " (the kit is tested on 3.11)"))


def _check_go() -> Check:
    go = shutil.which("go")
    return Check("Go toolchain", OK if go else FAIL, go or "not found: install Go 1.24+ (chaincode builds need it)")


def _check_binaries(settings: Settings) -> Check:
    _s, topology, _l = context.load(settings)
    try:
        found = binaries.locate(settings.cache_dir, topology.fabric, settings.fabric_bin)
    except binaries.SetupError as err:
        return Check("Fabric binaries", FAIL, str(err))
    if found is None:
        return Check("Fabric binaries", FAIL, f"Fabric {topology.fabric.version} not built yet: run `make setup`")
    return Check("Fabric binaries", OK, f"Fabric {topology.fabric.version} in {found.bin_dir}")


def _check_disk(settings: Settings) -> Check:
    free_gb = shutil.disk_usage(settings.repo_root).free / 1e9
    status = OK if free_gb >= MIN_FREE_DISK_GB else FAIL
    return Check("Free disk", status, f"{free_gb:.1f} GB free (need {MIN_FREE_DISK_GB:g} GB)")


def _check_clock(network: FabricNetwork | None) -> Check:
    now = dt.datetime.now(dt.UTC)
    if now.year < 2025:
        return Check("Clock", FAIL, f"system clock says {now:%Y-%m-%d}: TLS certificates will be rejected")
    if network is not None and network.layout.crypto.exists():
        org = network.topology.peer_orgs[0]
        cert = x509.load_pem_x509_certificate(network.layout.peer_tls_ca(org).read_bytes())
        if not (cert.not_valid_before_utc <= now <= cert.not_valid_after_utc):
            return Check("Clock", FAIL, "the clock is outside the certificates' validity: `make down && make up`")
    return Check("Clock", OK, f"{now:%Y-%m-%d %H:%M} UTC")


def _check_ports(network: FabricNetwork) -> Check:
    if network.state.bootstrapped:
        return Check("Ports", OK, "held by our network")
    busy = [p for p in network.topology.all_ports() if health.port_in_use(p)]
    if busy:
        return Check("Ports", FAIL, f"in use by another program: {busy[:8]}{'…' if len(busy) > 8 else ''}")
    return Check("Ports", OK, f"{len(network.topology.all_ports())} ports free")


def _check_nodes(network: FabricNetwork) -> Check:
    if not network.state.bootstrapped:
        return Check("Network", WARN, "not up: `make demo` starts it")
    statuses = network.status()
    down = [s.name for s in statuses if not s.healthy]
    if down:
        return Check("Network", FAIL, f"not healthy: {', '.join(down)} (`make up` restarts them)")
    heights = {s.ledger_height for s in statuses if s.ledger_height is not None}
    detail = f"{len(statuses)} nodes healthy, height {max(heights) if heights else '?'}"
    if len(heights) > 1:
        return Check("Network", WARN, detail + f"; heights differ {sorted(heights)} (catching up?)")
    return Check("Network", OK, detail)


def _check_reset(network: FabricNetwork) -> Check:
    if not network.state.bootstrapped:
        return Check("Reset snapshot", WARN, "no network yet")
    if network.has_snapshot("seeded"):
        return Check("Reset snapshot", OK, "seeded snapshot present: `make reset` takes seconds")
    return Check("Reset snapshot", WARN, "no seeded snapshot: `make demo` takes one after loading the data set")


def _check_storyboards(settings: Settings) -> Check:
    demos = settings.repo_root / "demos"
    try:
        stories = load_all(demos)
        load_seed(demos / "seed.yaml")
    except (ValueError, OSError) as err:
        return Check("Storyboards", FAIL, str(err).splitlines()[0])
    summary = ", ".join(f"{s.id} {s.planned_minutes:g}/{s.budget_minutes:g} min" for s in stories)
    return Check("Storyboards", OK if stories else FAIL, summary or "none found in demos/")


def _check_lan() -> Check:
    """The LAN address customers' phones would use in room mode (no traffic is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET address: picks the outgoing interface, sends nothing
            address = probe.getsockname()[0]
    except OSError:
        return Check("LAN address", WARN, "no network interface: room mode (HOST=0.0.0.0) will not reach phones")
    return Check("LAN address", OK, f"{address} (for `make demo HOST=0.0.0.0`)")


def run_checks(settings: Settings) -> list[Check]:
    checks: list[Check] = [_check_python(), _check_go(), _check_binaries(settings), _check_disk(settings)]
    network: FabricNetwork | None = None
    try:
        network = context.open_network(settings) if checks[2].status == OK else None
    except binaries.SetupError:
        network = None
    checks.append(_check_clock(network))
    if network is not None:
        node_checks: list[Callable[[FabricNetwork], Check]] = [_check_ports, _check_nodes, _check_reset]
        checks.extend(check(network) for check in node_checks)
    checks.append(_check_storyboards(settings))
    checks.append(_check_lan())
    return checks


def render(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = [f"{'CHECK':{width}}  STATUS  DETAIL"]
    lines += [f"{c.name:{width}}  {c.status:6}  {c.detail}" for c in checks]
    failed = sum(c.status == FAIL for c in checks)
    warned = sum(c.status == WARN for c in checks)
    lines.append(f"\n{len(checks)} checks: {failed} failed, {warned} warnings")
    return "\n".join(lines)


def main(settings: Settings, out: Callable[[str], None] = print) -> int:
    checks = run_checks(settings)
    out(render(checks))
    return 1 if any(c.status == FAIL for c in checks) else 0
