"""The Caliper workspace writer and report parser, without a network."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fabdemo import context
from fabdemo.network.layout import StateLayout
from fabdemo.network.profile import write_connection_files
from fabdemo.poc import caliper, caliper_workspace
from fabdemo.poc.caliper_workspace import CaliperRound

# The summary table exactly as Caliper 0.6.0's report template renders it (one row per round).
REPORT = """
<div id="benchmarksummary">
<table style="min-width: 100%;"><h3>Summary of performance metrics</h3>
<tr> <th>Name</th> <th>Succ</th> <th>Fail</th> <th>Send Rate (TPS)</th> <th>Max Latency (s)</th>
<th>Min Latency (s)</th> <th>Avg Latency (s)</th> <th>Throughput (TPS)</th></tr>
<tr> <td>harvest</td> <td>121</td> <td>3</td> <td>30.3</td> <td>0.21</td> <td>0.04</td> <td>0.12</td> <td>29.7</td></tr>
<tr> <td>none</td> <td>0</td> <td>5</td> <td>5.0</td> <td>-</td> <td>-</td> <td>-</td> <td>4.9</td></tr>
</table></div>
<table><tr><th>Name</th><th>Succ</th></tr><tr><td>per-round table</td><td>1</td></tr></table>
"""


def test_parse_report_reads_the_summary_table_only() -> None:
    rounds = caliper.parse_report(REPORT)
    assert rounds == [
        {
            "name": "harvest",
            "succ": 121,
            "fail": 3,
            "send_rate": 30.3,
            "max_latency": 0.21,
            "min_latency": 0.04,
            "avg_latency": 0.12,
            "throughput": 29.7,
        },
        {
            "name": "none",
            "succ": 0,
            "fail": 5,
            "send_rate": 5.0,
            "max_latency": None,
            "min_latency": None,
            "avg_latency": None,
            "throughput": 4.9,
        },
    ]


def test_parse_report_refuses_a_page_without_the_table() -> None:
    with pytest.raises(caliper.CaliperError, match="summary table"):
        caliper.parse_report("<html><body>Caliper failed</body></html>")


def _fake_network(tmp_path: Path):
    settings = context.Settings(state_dir=tmp_path / "state", port_offset=0)
    _settings, topology, _layout = context.load(settings)
    layout = StateLayout(tmp_path / "state")
    for org in topology.peer_orgs:
        msp = layout.user_msp(org)
        for sub in ("keystore", "signcerts"):
            (msp / sub).mkdir(parents=True)
            (msp / sub / "x.pem").write_text("-")
    write_connection_files(topology, layout)
    return topology, layout


def test_workspace_rounds_arguments_and_rate_controllers(tmp_path: Path) -> None:
    topology, layout = _fake_network(tmp_path)
    farm = topology.peer_org("farm")
    rounds = (
        *caliper_workspace.DEFAULT_ROUNDS,
        CaliperRound(
            "ramp",
            "harvest",
            7,
            {"type": "linear-rate", "opts": {"startingTps": 5, "finishingTps": 20}},
            {
                "lotId": "RAMP-{uid}",
                "quantity": 12.5,
            },
        ),
    )
    ws = caliper_workspace.write(tmp_path / "ws", topology, layout, farm, rounds, product_id="PRD-X")
    bench = yaml.safe_load(ws.benchmark_config.read_text())["test"]
    assert bench["workers"] == {"number": 1}
    harvest, get_lot, ramp = bench["rounds"]
    assert harvest["workload"]["module"] == "workloads/submit.js"
    assert get_lot["workload"]["module"] == "workloads/evaluate.js"
    assert (ws.root / "workloads" / "submit.js").is_file() and (ws.root / "workloads" / "common.js").is_file()
    args = harvest["workload"]["arguments"]
    assert args["function"] == "HarvestLot" and args["mspId"] == farm.msp_id
    assert args["channel"] == topology.channel_name and args["contractId"] == topology.chaincode.name
    # Positional, in the contract's order: the id template first, the product the run defines next.
    assert args["args"][:2] == ["CAL-{uid}", "PRD-X"]
    assert "pool" not in args
    # A read of {lot} harvests a pool first.
    read = get_lot["workload"]["arguments"]
    assert read["function"] == "GetLot" and read["args"] == ["{lot}"]
    assert read["pool"]["function"] == "HarvestLot" and read["pool"]["args"][0] == "CAL-POOL-{uid}"
    assert ramp["rateControl"] == {"type": "linear-rate", "opts": {"startingTps": 5, "finishingTps": 20}}
    assert ramp["txDuration"] == 7
    assert "12.5" in ramp["workload"]["arguments"]["args"]
    network = yaml.safe_load(ws.network_config.read_text())
    assert network["version"] == "2.0.0" and network["caliper"] == {"blockchain": "fabric"}
    assert network["channels"][0]["contracts"] == [{"id": topology.chaincode.name}]


def test_private_data_operations_are_refused(tmp_path: Path) -> None:
    topology, _layout = _fake_network(tmp_path)
    with pytest.raises(ValueError, match="private data"):
        caliper_workspace.contract_arguments("set_price", {"lotId": "{uid}"}, topology.peer_org("retail"), "P")
