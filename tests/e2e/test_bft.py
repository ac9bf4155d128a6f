"""SmartBFT ordering (`make up CONSENSUS=bft`) on a real network of its own (ports +12300).

Four orderers, f=1: the genesis block carries the BFT consenter mapping and a block validation policy
of 3 consenter signatures; transactions commit, keep committing with one orderer stopped (the BFT
leader, the hardest case: the others must change view), and the stopped orderer catches up when it
comes back. Then every storyboard rehearses on BFT, as `make rehearse CONSENSUS=bft` does.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import uuid

import pytest

from fabdemo import context
from fabdemo.connections import connect_org
from fabdemo.network.manager import FabricNetwork
from fabdemo.network.nodes import NodeKind
from fabdemo.settings import Settings
from fabdemo.storyboard.rehearse import rehearse_all, write_report
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

BFT_PORT_OFFSET = int(os.environ.get("FABDEMO_BFT_TEST_PORT_OFFSET", "12300"))
PRODUCT = ("PRD-BFT-TEST", "BFT test produce", "1", "8")


def _settings() -> Settings:
    state = ARTIFACTS / f"bft-state-{BFT_PORT_OFFSET}"
    return Settings(state_dir=state, port_offset=BFT_PORT_OFFSET, consensus="bft")


@pytest.fixture(scope="module")
def bft() -> FabricNetwork:
    network = context.open_network(_settings(), progress=print)
    network.down(lambda _m: None)  # leftovers of an interrupted run
    network.up(print)
    yield network
    network.down(print)


@pytest.fixture(scope="module")
def contract(bft: FabricNetwork):
    topology = bft.topology
    with connect_org(topology, bft.layout, topology.peer_org("farm")) as gateway:
        farm = gateway.get_network(topology.channel_name).get_contract(topology.chaincode.name)
        farm.submit_transaction("DefineProduct", *PRODUCT)
        yield farm


def _harvest(contract) -> str:
    lot_id = f"LOT-BFT-{uuid.uuid4().hex[:8]}"
    args = [lot_id, PRODUCT[0], "Test", "10", "kg", "Farm", "Road 1", "Plot 1", "2026-12-02"]
    contract.submit_transaction("HarvestLot", *args)
    return lot_id


def _orderer_group(network: FabricNetwork) -> dict:
    decoded = subprocess.run(
        [
            str(network.fabric.tool("configtxlator")),
            "proto_decode",
            "--type",
            "common.Block",
            "--input",
            str(network.layout.genesis_block),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    block = json.loads(decoded.stdout)
    return block["data"]["data"][0]["payload"]["data"]["config"]["channel_group"]["groups"]["Orderer"]


def test_the_channel_is_created_with_the_bft_consenter_mapping(bft: FabricNetwork) -> None:
    orderer = _orderer_group(bft)
    assert orderer["values"]["ConsensusType"]["value"]["type"] == "BFT"
    mapping = orderer["values"]["Orderers"]["value"]["consenter_mapping"]
    nodes = bft.topology.orderer_org.nodes
    assert [c["id"] for c in mapping] == [1, 2, 3, 4]
    assert [c["port"] for c in mapping] == [n.port for n in nodes]
    assert all(c["msp_id"] == "OrdererMSP" and c["identity"] and c["server_tls_cert"] for c in mapping)
    # Peers accept a block only with the signatures of a quorum of consenters: 3 of 4.
    rule = orderer["policies"]["BlockValidation"]["policy"]["value"]["rule"]["n_out_of"]
    assert rule["n"] == 3 and len(rule["rules"]) == 4
    options = orderer["values"]["ConsensusType"]["value"]["metadata"]
    assert options["request_complain_timeout"] == bft.topology.smartbft.request_complain_timeout


def test_four_orderers_run_with_one_bft_leader(bft: FabricNetwork) -> None:
    orderers = [s for s in bft.status() if s.kind == "orderer"]
    assert len(orderers) == 4 and all(s.healthy for s in orderers), orderers
    assert sum(1 for s in orderers if s.raft_leader) == 1
    assert bft.state.consensus == "bft" and bft.topology.fault_tolerance == 1


def test_transactions_commit_with_one_orderer_down_and_it_catches_up(bft: FabricNetwork, contract) -> None:
    nodes = bft.nodes
    before = [_harvest(contract) for _ in range(2)]
    leader = nodes.leader()
    assert leader is not None
    assert nodes.stop_node(leader)
    try:
        # The other three change view (the leader is gone) and go on ordering: every submit commits.
        during = [_harvest(contract) for _ in range(4)]
        assert nodes.leader() not in (None, leader)
    finally:
        nodes.start_node(leader)
    after = [_harvest(contract) for _ in range(2)]
    heights = nodes.wait_for_equal_heights((NodeKind.ORDERER, NodeKind.PEER), 60.0, f"{leader} to catch up")
    assert len(set(heights.values())) == 1 and heights[leader] is not None
    for lot_id in before + during + after:
        assert json.loads(contract.evaluate_transaction("GetLot", lot_id))["lotId"] == lot_id


def test_every_storyboard_rehearses_on_bft(bft: FabricNetwork) -> None:
    report = asyncio.run(rehearse_all(bft, _settings(), print))
    path = write_report(report, ARTIFACTS / "rehearsals")
    print(json.dumps({s["id"]: s["passed"] for s in report["storyboards"]}), path)
    assert report["consensus"] == "bft"
    for story in report["storyboards"]:
        failed = [(sc["scene"], sc["actions"], sc["expectations"]) for sc in story["scenes"] if not sc["passed"]]
        assert story["passed"], failed
    scenes = {(s["id"], sc["scene"]): sc for s in report["storyboards"] for sc in s["scenes"]}
    consensus_scene = scenes[("architects", "consensus")]
    assert not any(a["summary"].startswith("skipped") for a in consensus_scene["actions"])  # the BFT steps ran
