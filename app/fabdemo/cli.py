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
from fabdemo.network.manager import NetworkError


def _progress(message: str) -> None:
    print(message, flush=True)


def cmd_setup(_args: argparse.Namespace) -> int:
    context.open_network(progress=_progress)
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    network = context.open_network(progress=_progress)
    started = time.monotonic()
    outcome = network.up(_progress, batch_profile=args.profile)
    if outcome != "already-up":
        print(f"Network {outcome} in {time.monotonic() - started:.1f}s.", flush=True)
    return 0


def cmd_down(_args: argparse.Namespace) -> int:
    network = context.open_network()
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
    print(f"Runtime: {network.runtime.name}   channel: {topology.channel_name}   batch profile: {state.batch_profile}")
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
        print("* Raft leader")
    return 0


def cmd_deploy_cc(_args: argparse.Namespace) -> int:
    network = context.open_network(progress=_progress)
    started = time.monotonic()
    result = network.deploy_chaincode(_progress)
    print(f"Redeployed {result['name']} {result['version']} in {time.monotonic() - started:.1f}s.")
    return 0


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
    from fabdemo.sample import run_sample_transaction

    cmd_up(args)
    network = context.open_network()
    tx_id, block, lot_id = run_sample_transaction(network)
    print(f"Sample transaction: harvested lot {lot_id}; tx {tx_id} committed in block {block}.")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "setup": cmd_setup,
    "up": cmd_up,
    "down": cmd_down,
    "status": cmd_status,
    "deploy-cc": cmd_deploy_cc,
    "env": cmd_env,
    "demo": cmd_demo,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fabdemo", description="Hyperledger Fabric POC and demo kit")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="build or locate the pinned Fabric binaries")
    for name in ("up", "demo"):
        p = sub.add_parser(name, help="start the network" if name == "up" else "start everything and run a sample")
        p.add_argument("--profile", default=None, help="batch profile from the topology (demo, throughput)")
    sub.add_parser("down", help="stop every node we started and remove the state")
    status = sub.add_parser("status", help="node health, pids and ledger heights")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    sub.add_parser("deploy-cc", help="rebuild the chaincode and redeploy it as the next sequence")
    env = sub.add_parser("env", help="path (or exports) of an org's peer CLI environment")
    env.add_argument("org", help="org key or MSP id, e.g. farm or FarmMSP")
    env.add_argument("--exports", action="store_true", help="print the export lines instead of the path")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (SetupError, NetworkError, CommandError, KeyError, TimeoutError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
        print(f"error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
