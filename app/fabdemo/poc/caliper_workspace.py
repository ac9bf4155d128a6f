"""Write a Hyperledger Caliper 0.6 workspace for the running network, from the topology and the criteria.

The workspace is what a customer's team would run on machines of its own: a network configuration
(format v2) that points at the kit's generated connection profile and the acting org's User1
identity, the kit's JavaScript workload modules (``caliper_workloads/``: one for submits, one for
evaluates) and a benchmark configuration whose rounds come from ``poc/criteria.yaml`` (its throughput
and query criteria, rate controllers by Caliper's own names) or, without that file, from
:data:`DEFAULT_ROUNDS`. Paths are absolute: the workspace belongs to one network's state folder.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fabdemo.bench.workload import BENCH_PRODUCT
from fabdemo.network.layout import StateLayout
from fabdemo.network.profile import profile_path
from fabdemo.network.topology import PeerOrg, Topology
from fabdemo.service.catalogue import OPERATIONS_BY_ID
from fabdemo.service.catalogue.arguments import format_number
from fabdemo.service.catalogue.defaults import DefaultContext, default_value

WORKLOADS = Path(__file__).resolve().parent / "caliper_workloads"
NETWORK_FILE = "networks/network.yaml"
BENCHMARK_FILE = "benchmarks/benchmark.yaml"
REPORT_FILE = "report.html"
IDENTITY = "User1"
POOL_SIZE = 20  # lots harvested per worker before a round that reads {lot}


@dataclass(frozen=True)
class CaliperRound:
    """One Caliper round: a catalogue operation with named argument templates, a duration and a rate."""

    label: str
    operation: str  # catalogue id, e.g. "harvest"
    duration_s: float
    rate_control: dict[str, Any]  # Caliper's rateControl block: {"type": ..., "opts": {...}}
    args: dict[str, Any] = field(default_factory=dict)


# Without criteria: the contract's main write (a lot per transaction) and its main read, at rates this
# 2-core machine sustains with Caliper beside the nodes (about 35-39 TPS of submits at most).
DEFAULT_ROUNDS = (
    CaliperRound("harvest", "harvest", 10, {"type": "fixed-rate", "opts": {"tps": 30}}, {"lotId": "CAL-{uid}"}),
    CaliperRound("get-lot", "get_lot", 10, {"type": "fixed-rate", "opts": {"tps": 60}}, {"lotId": "{lot}"}),
)


@dataclass(frozen=True)
class Workspace:
    root: Path
    rounds: tuple[CaliperRound, ...]
    source: str  # where the rounds came from: a criteria file or "defaults"

    @property
    def network_config(self) -> Path:
        return self.root / NETWORK_FILE

    @property
    def benchmark_config(self) -> Path:
        return self.root / BENCHMARK_FILE

    @property
    def report(self) -> Path:
        return self.root / REPORT_FILE


def rounds_from_criteria(path: Path) -> tuple[tuple[CaliperRound, ...], str | None]:
    """The throughput and query criteria of a criteria file as rounds, and its product id.

    The file is validated by the POC model (:mod:`fabdemo.poc.criteria`); a file that does not parse is
    reported by ``make poc``, so here it only means "use the defaults" (the caller says so).
    """
    from fabdemo.poc import criteria as model

    parsed = model.load(path)
    rounds = tuple(
        CaliperRound(c.id, c.operation, c.duration_s, c.rate_control.model_dump(), dict(c.args))
        for c in parsed.criteria
        if isinstance(c, model.Throughput | model.Query)
    )
    return rounds, parsed.setup.product_id


def contract_arguments(operation: str, named: dict[str, Any], org: PeerOrg, product_id: str) -> list[str]:
    """Positional argument templates in the contract's order; unnamed ones take the catalogue's default."""
    op = OPERATIONS_BY_ID[operation]
    if op.transient_field:
        raise ValueError(f"{operation} carries private data (a transient map); the Caliper workloads send none")
    ctx = DefaultContext(org_name=org.name)
    values = []
    for param in op.params:
        if param.name in named:
            value = named[param.name]
        elif param.name == "productId":
            value = product_id
        else:
            value = default_value(param, ctx)
        values.append(format_number(float(value)) if isinstance(value, int | float) else str(value))
    return values


def _round_config(
    rnd: CaliperRound, topology: Topology, org: PeerOrg, product_id: str, pool_args: list[str]
) -> dict[str, Any]:
    op = OPERATIONS_BY_ID[rnd.operation]
    templates = contract_arguments(rnd.operation, rnd.args, org, product_id)
    arguments: dict[str, Any] = {
        "channel": topology.channel_name,
        "contractId": topology.chaincode.name,
        "mspId": org.msp_id,
        "identity": IDENTITY,
        "function": op.function,
        "args": templates,
    }
    if any("{lot}" in t for t in templates):
        arguments["pool"] = {"function": "HarvestLot", "args": pool_args, "idIndex": 0}
        arguments["poolSize"] = POOL_SIZE
    return {
        "label": rnd.label,
        "description": f"{op.function} ({op.label_en} / {op.label_zh})",
        "txDuration": rnd.duration_s,
        "rateControl": rnd.rate_control,
        "workload": {"module": f"workloads/{'submit' if op.submit else 'evaluate'}.js", "arguments": arguments},
    }


def network_config(topology: Topology, layout: StateLayout, org: PeerOrg) -> dict[str, Any]:
    """Caliper's network configuration v2 over the kit's own connection profile and identity."""
    msp = layout.user_msp(org, IDENTITY)
    return {
        "name": f"{topology.name}-caliper",
        "version": "2.0.0",
        "caliper": {"blockchain": "fabric"},
        "channels": [{"channelName": topology.channel_name, "contracts": [{"id": topology.chaincode.name}]}],
        "organizations": [
            {
                "mspid": org.msp_id,
                "identities": {
                    "certificates": [
                        {
                            "name": IDENTITY,
                            "clientPrivateKey": {"path": str(next((msp / "keystore").iterdir()))},
                            "clientSignedCert": {"path": str(next((msp / "signcerts").iterdir()))},
                        }
                    ]
                },
                "connectionProfile": {"path": str(profile_path(layout, org)), "discover": True},
            }
        ],
    }


def write(
    root: Path,
    topology: Topology,
    layout: StateLayout,
    org: PeerOrg,
    rounds: tuple[CaliperRound, ...],
    *,
    product_id: str = BENCH_PRODUCT[0],
    source: str = "defaults",
    workers: int = 1,
) -> Workspace:
    """Write (or rewrite) the workspace under ``root``."""
    if not profile_path(layout, org).is_file():
        raise FileNotFoundError(f"no connection profile at {profile_path(layout, org)}: start the network first")
    (root / "networks").mkdir(parents=True, exist_ok=True)
    (root / "benchmarks").mkdir(parents=True, exist_ok=True)
    workloads = root / "workloads"
    if workloads.exists():
        shutil.rmtree(workloads)
    shutil.copytree(WORKLOADS, workloads)
    pool_args = contract_arguments("harvest", {"lotId": "CAL-POOL-{uid}"}, org, product_id)
    benchmark = {
        "test": {
            "name": f"{topology.name}-{source}",
            "description": f"Rounds from {source}, written by make caliper",
            # One worker: a second one starves for CPU beside nine Fabric processes on a small machine.
            "workers": {"number": workers},
            "rounds": [_round_config(r, topology, org, product_id, pool_args) for r in rounds],
        }
    }
    ws = Workspace(root, rounds, source)
    ws.network_config.write_text(yaml.safe_dump(network_config(topology, layout, org), sort_keys=False))
    ws.benchmark_config.write_text(yaml.safe_dump(benchmark, sort_keys=False, allow_unicode=True))
    return ws
