"""The ``fabdemo`` command line: what the Makefile targets call.

Every command prints progress for anything slower than a second and exits non-zero with a one-line
reason (no traceback) on a user-facing error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict

from fabdemo import context
from fabdemo.network.admin import CommandError
from fabdemo.network.binaries import SetupError
from fabdemo.network.manager import FabricNetwork, NetworkError


def _app_errors() -> tuple[type[Exception], ...]:
    from fabdemo.appserver import AppServerError

    return (AppServerError,)


def _progress(message: str) -> None:
    print(message, flush=True)


def cmd_setup(_args: argparse.Namespace) -> int:
    context.open_network(progress=_progress)
    return 0


def _up(network: FabricNetwork, profile: str | None) -> None:
    started = time.monotonic()
    outcome = network.up(_progress, batch_profile=profile)
    if outcome != "already-up":
        print(f"Network {outcome} in {time.monotonic() - started:.1f}s.", flush=True)


def _settings(args: argparse.Namespace):
    """The process's settings, with ``--consensus`` (if given) over ``CONSENSUS``."""
    from fabdemo.settings import get_settings

    settings = get_settings()
    chosen = getattr(args, "consensus", None)
    return settings.model_copy(update={"consensus": chosen}) if chosen else settings


def cmd_up(args: argparse.Namespace) -> int:
    _up(context.open_network(_settings(args), progress=_progress), args.profile)
    return 0


def cmd_down(_args: argparse.Namespace) -> int:
    from fabdemo import appserver
    from fabdemo.settings import get_settings

    if appserver.stop():  # the app lives in the state dir that down removes
        print("Stopped the web app", flush=True)
    # Whatever CONSENSUS says, down takes down the network that runs.
    network = context.open_network(get_settings().model_copy(update={"consensus": None, "identities": None}))
    network.down(_progress)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    network = context.open_network()
    statuses = network.status()
    state = network.state
    if args.json:
        print(
            json.dumps(
                {
                    "bootstrapped": state.bootstrapped,
                    "runtime": network.runtime.name,
                    "channel": network.topology.channel_name,
                    "batch_profile": state.batch_profile,
                    "consensus": network.topology.consensus,
                    "chaincode": state.chaincode,
                    "nodes": [asdict(s) for s in statuses],
                },
                indent=2,
            )
        )
        return 0
    if not state.bootstrapped and not any(s.running for s in statuses):
        print("The network is down. Start it with `make up` (or `make demo`).")
        return 0
    topology = network.topology
    print(
        f"Runtime: {network.runtime.name}   channel: {topology.channel_name}   "
        f"consensus: {topology.consensus} (tolerates {topology.fault_tolerance} faulty orderer)   "
        f"batch profile: {state.batch_profile}"
    )
    if state.chaincode:
        cc = state.chaincode
        print(f"Chaincode: {cc['name']} version {cc['version']} sequence {cc['sequence']}")
    print(f"{'NODE':34} {'KIND':9} {'ORG':9} {'PID':>7} {'STATE':9} {'HEIGHT':>6}  PORTS")
    for s in statuses:
        st = "healthy" if s.healthy else ("starting" if s.running else "stopped")
        if s.raft_leader:
            st += "*"
        height = "" if s.ledger_height is None else str(s.ledger_height)
        print(f"{s.name:34} {s.kind:9} {s.org:9} {s.pid or '':>7} {st:9} {height:>6}  {','.join(map(str, s.ports))}")
    if any(s.raft_leader for s in statuses):
        print(f"* {'BFT' if topology.is_bft else 'Raft'} leader")
    return 0


def cmd_deploy_cc(args: argparse.Namespace) -> int:
    from fabdemo.ccdev import commands

    return commands.deploy_cc(context.open_network(progress=_progress), args.name, _progress)


def cmd_cc_new(args: argparse.Namespace) -> int:
    from fabdemo.ccdev import commands

    return commands.cc_new(args.name, args.lang, args.dir, _progress)


def cmd_cc_watch(args: argparse.Namespace) -> int:
    from fabdemo.ccdev import commands

    return commands.cc_watch(context.open_network(progress=_progress), args.name, _progress)


def cmd_cc_client(args: argparse.Namespace) -> int:
    from fabdemo.ccdev import commands

    return commands.cc_client(context.open_network(progress=_progress), args.name, args.out, _progress)


def cmd_env(args: argparse.Namespace) -> int:
    _settings, topology, layout = context.load()
    org = topology.peer_org(args.org)
    path = layout.env_file(org)
    if not path.is_file():
        print("No env files yet: start the network with `make up` first.", file=sys.stderr)
        return 1
    print(path.read_text() if args.exports else path)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Up, then one sample transaction through the Python client, printing its id and block."""
    import asyncio

    from fabdemo.sample import run_sample_transaction
    from fabdemo.storyboard.rehearse import ensure_seeded

    settings = _settings(args)
    network = context.open_network(settings, progress=_progress)
    _up(network, args.profile)
    asyncio.run(ensure_seeded(network, settings, _progress))
    tx_id, block, lot_id = run_sample_transaction(network)
    print(f"Sample transaction: harvested lot {lot_id}; tx {tx_id} committed in block {block}.")
    return _start_app(args.host, args.port)


def _start_app(host: str, port: int | None) -> int:
    from fabdemo import appserver
    from fabdemo.api.qr import qr_text
    from fabdemo.appcontainer import app_command

    in_container = app_command("start", host, port)  # Compose runtime: the app runs in its container
    if in_container is not None:
        return in_container

    info = appserver.start(host=host, port=port)
    print(f"Web app running (pid {info.pid}): {info.url}", flush=True)
    if info.join_url:
        print(f"Room mode: people in the room join at {info.lan_url} with this link (or scan the code):")
        print(f"  {info.join_url}")
        print(qr_text(info.join_url), flush=True)
    print(f"Stop it with `make app-stop` (log: {info.log_file}).")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    """Start, stop or report the web app (a background uvicorn process)."""
    from fabdemo import appserver
    from fabdemo.appcontainer import app_command

    if args.action == "start":
        return _start_app(args.host, args.port)
    in_container = app_command(args.action)  # Compose runtime: stop or report the app container
    if in_container is not None:
        return in_container
    if args.action == "stop":
        print("Stopped the web app." if appserver.stop() else "The web app is not running.")
        return 0
    info = appserver.status()
    if info is None:
        print("The web app is not running. Start it with `make app`.")
    else:
        print(f"Web app running (pid {info.pid}): {info.url}" + (f"  room: {info.lan_url}" if info.join_url else ""))
    return 0


def cmd_add_org(args: argparse.Namespace) -> int:
    network = context.open_network(progress=_progress)
    started = time.monotonic()
    if network.add_org(args.org, _progress) == "added":
        print(f"Onboarded {args.org} in {time.monotonic() - started:.1f}s.")
    return 0


def cmd_remove_org(args: argparse.Namespace) -> int:
    network = context.open_network(progress=_progress)
    network.remove_org(args.org, _progress)
    return 0


def cmd_snapshot(args: argparse.Namespace) -> int:
    network = context.open_network()
    seconds = network.save_snapshot(args.name, _progress)
    print(f"Snapshot '{args.name}' saved in {seconds:.1f}s.")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    network = context.open_network()
    seconds = network.restore_snapshot(args.name, _progress)
    print(f"Network reset to snapshot '{args.name}' in {seconds:.1f}s.")
    return 0


def cmd_rehearse(args: argparse.Namespace) -> int:
    """Run every storyboard unattended; write a report; non-zero exit on any failure."""
    import asyncio

    from fabdemo.settings import get_settings
    from fabdemo.storyboard.rehearse import rehearse_all, write_report

    settings = get_settings()
    network = context.open_network(settings, progress=_progress)
    if not network.is_bootstrapped():
        network.up(_progress)
    report = asyncio.run(rehearse_all(network, settings, _progress, only=args.storyboard or None))
    path = write_report(report, settings.state_dir / "rehearsals")
    print(f"{'STORYBOARD':12} {'RESULT':6} {'PLANNED':>8} {'BUDGET':>7} {'RAN':>7}")
    for story in report["storyboards"]:
        result = "PASS" if story["passed"] else "FAIL"
        planned, budget = story["planned_minutes"], story["budget_minutes"]
        print(f"{story['id']:12} {result:6} {planned:>6g}m {budget:>6g}m {story['elapsed_s']:>6.1f}s")
    reset_s = report["reset_after_s"]
    print(f"Consensus: {report['consensus']}. Reset to the seeded state in {reset_s:.1f}s. Report: {path}")
    return 0 if report["passed"] else 1


def cmd_doctor(_args: argparse.Namespace) -> int:
    from fabdemo import doctor
    from fabdemo.settings import get_settings

    return doctor.main(get_settings())


def cmd_identity(args: argparse.Namespace) -> int:
    """``user`` / ``users`` / ``revoke`` / ``reenroll``: the identity lifecycle (IDENTITIES=ca)."""
    from fabdemo.service.errors import ServiceError
    from fabdemo.service.identities import IdentityService

    service = IdentityService(context.open_network())
    try:
        if args.command == "users":
            users = service.users(args.org)
            if args.json:
                print(json.dumps([u.to_dict() for u in users], indent=2))
            for u in [] if args.json else users:
                attrs = ",".join(f"{k}={v}" for k, v in u.attrs.items()) or "-"
                print(f"{u.org:<10} {u.name:<20} {'REVOKED' if u.revoked else 'active':<8} {attrs}")
            return 0
        if args.command == "user":
            user = service.register(args.org, args.name, args.attrs)
            msp = service.ctx.layout.user_msp(service.ctx.topology.peer_org(user.org), user.name)
            print(f"Registered and enrolled {user.name} ({user.msp}) with {user.attrs or 'no attributes'}: {msp}")
        elif args.command == "reenroll":
            user = service.reenroll(args.org, args.name)
            print(f"Re-enrolled {user.name} ({user.msp}): new certificate serial {user.serial}")
        else:
            _progress(f"Revoking {args.name} at the CA of {args.org} and updating the channel's CRL...")
            result = service.revoke(args.org, args.name)
            what = "CRL in the channel config updated" if result["crl_updated"] else "CRL already current"
            print(f"Revoked {args.name} ({result['msp']}); {what}: its next transaction is refused.")
    except ServiceError as err:
        print(f"error: {err.message}\n错误：{err.message_zh}", file=sys.stderr)
        return 1
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "user": cmd_identity,
    "users": cmd_identity,
    "revoke": cmd_identity,
    "reenroll": cmd_identity,
    "rehearse": cmd_rehearse,
    "doctor": cmd_doctor,
    "add-org": cmd_add_org,
    "remove-org": cmd_remove_org,
    "snapshot": cmd_snapshot,
    "reset": cmd_reset,
    "setup": cmd_setup,
    "up": cmd_up,
    "down": cmd_down,
    "status": cmd_status,
    "deploy-cc": cmd_deploy_cc,
    "cc-new": cmd_cc_new,
    "cc-watch": cmd_cc_watch,
    "cc-client": cmd_cc_client,
    "env": cmd_env,
    "demo": cmd_demo,
    "app": cmd_app,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fabdemo", description="Hyperledger Fabric POC and demo kit")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="build or locate the pinned Fabric binaries")
    for name in ("up", "demo"):
        p = sub.add_parser(name, help="start the network" if name == "up" else "start everything and run a sample")
        p.add_argument("--profile", default=None, help="batch profile from the topology (demo, throughput)")
        p.add_argument("--consensus", default=None, help="ordering service of a new network: raft or bft")
        if name == "demo":
            _app_options(p)
    sub.add_parser("down", help="stop every node we started and remove the state")
    status = sub.add_parser("status", help="node health, pids and ledger heights")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    deploy = sub.add_parser("deploy-cc", help="build and deploy a chaincode as its next sequence")
    deploy.add_argument("name", nargs="?", default=None, help="a chaincode of the topology (default: each changed one)")
    new = sub.add_parser("cc-new", help="scaffold an asset contract project and list it in the topology")
    new.add_argument("name", help="chaincode name, e.g. asset")
    new.add_argument("--lang", default="go", help="go, typescript or java (default go)")
    new.add_argument("--dir", default=None, help="project folder (default chaincodes/<name>)")
    watch = sub.add_parser("cc-watch", help="hot-reload a deployed chaincode's servers on every save")
    watch.add_argument("name", help="a deployed chaincode, e.g. asset")
    client = sub.add_parser("cc-client", help="write a typed Python client module from a chaincode's metadata")
    client.add_argument("name", help="a deployed chaincode, e.g. asset")
    client.add_argument("--out", default=None, help="output file (default <name>_client.py)")
    env = sub.add_parser("env", help="path (or exports) of an org's peer CLI environment")
    env.add_argument("org", help="org key or MSP id, e.g. farm or FarmMSP")
    env.add_argument("--exports", action="store_true", help="print the export lines instead of the path")
    rehearse = sub.add_parser("rehearse", help="run every storyboard unattended and report per scene")
    rehearse.add_argument("storyboard", nargs="*", help="only these storyboard ids")
    sub.add_parser("doctor", help="preflight check before a meeting")
    for name, verb in (("add-org", "onboard"), ("remove-org", "remove")):
        p = sub.add_parser(name, help=f"{verb} a joinable organisation (topology.yaml: joinable_orgs)")
        p.add_argument("org", nargs="?", default="carrier", help="org key, e.g. carrier")
    for name, help_text in (("snapshot", "save the ledgers of every node"), ("reset", "rewind to a snapshot")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("name", nargs="?", default="seeded", help="snapshot name (default: seeded)")
    user = sub.add_parser("user", help="register and enroll a user with its org's Fabric CA (IDENTITIES=ca)")
    user.add_argument("org", help="org key, e.g. retail")
    user.add_argument("name", help="user name, e.g. alice")
    user.add_argument("--attrs", default="", help="attributes, e.g. role=inspector (roles joined by +)")
    users = sub.add_parser("users", help="list the users registered with the orgs' Fabric CAs")
    users.add_argument("org", nargs="?", default=None, help="only this org")
    users.add_argument("--json", action="store_true", help="machine-readable output")
    for name, help_text in (("revoke", "revoke a user and put the CRL into the channel"), ("reenroll", "re-enroll")):
        p = sub.add_parser(name, help=f"{help_text} (IDENTITIES=ca)")
        p.add_argument("org", help="org key, e.g. retail")
        p.add_argument("name", help="user name")
    app = sub.add_parser("app", help="start, stop or show the web app (background process)")
    app.add_argument("action", nargs="?", default="start", choices=["start", "stop", "status"])
    _app_options(app)
    return parser


def _app_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="listen address; 0.0.0.0 = room mode with a join token")
    parser.add_argument("--port", type=int, default=None, help="port (default APP_PORT or 8000)")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (SetupError, NetworkError, CommandError, KeyError, TimeoutError, *_app_errors()) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
        print(f"error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
