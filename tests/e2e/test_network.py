"""The network foundation, checked on a real network: channel, contract, cross-org round trip, errors."""

from __future__ import annotations

import json
import re
import subprocess
import uuid

import pytest

from fabdemo.network import chaincode as cc
from fabdemo.network.manager import FabricNetwork
from fabric_gateway import EndorseError, EvaluateError
from tests.e2e.eventually import read_until

pytestmark = pytest.mark.e2e


def _peer_cli(network: FabricNetwork, org_key: str, *args: str) -> str:
    """Run the official peer CLI after sourcing the org's generated env file, as a developer would."""
    env_file = network.layout.env_file(network.topology.peer_org(org_key))
    quoted = " ".join(f"'{a}'" for a in args)
    proc = subprocess.run(
        ["bash", "-c", f"source '{env_file}' && peer {quoted}"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout + proc.stderr


def test_all_nodes_healthy(network: FabricNetwork) -> None:
    statuses = network.status()
    assert {s.kind for s in statuses} == {"orderer", "peer", "chaincode"}
    assert len([s for s in statuses if s.kind == "orderer"]) == 3
    assert all(s.healthy for s in statuses), [s for s in statuses if not s.healthy]
    assert sum(1 for s in statuses if s.raft_leader) == 1


def test_every_peer_reports_the_same_height_via_peer_cli(network: FabricNetwork) -> None:
    heights = set()
    for org in network.topology.peer_orgs:
        out = _peer_cli(network, org.key, "channel", "getinfo", "-c", network.topology.channel_name)
        heights.add(int(re.search(r'"height":(\d+)', out).group(1)))
    assert len(heights) == 1 and heights.pop() >= 4


def test_contract_committed_with_majority_policy(network: FabricNetwork) -> None:
    out = _peer_cli(network, "retail", "lifecycle", "chaincode", "querycommitted", "-C", network.topology.channel_name)
    assert f"Name: {network.topology.chaincode.name}," in out
    committed = cc.query_committed(network.topology, network.layout, network.fabric)
    assert committed is not None and committed.sequence >= 1


def test_lot_created_via_farm_is_readable_via_retailer(contracts) -> None:
    lot_id = f"LOT-E2E-{uuid.uuid4().hex[:8]}"
    _ensure_product(contracts["farm"])
    submitted = (
        contracts["farm"]
        .new_proposal(
            "HarvestLot",
            arguments=[
                lot_id,
                "PRD-E2E",
                "Butterhead",
                "50",
                "kg",
                "E2E Farm",
                "North field",
                "P1",
                "2026-05-01",
            ],
        )
        .endorse()
        .submit()
    )
    status = submitted.get_status()
    assert status.successful and status.block_number > 0
    lot = read_until(contracts["retail"], "GetLot", lot_id, until=lambda lot: lot["lotId"] == lot_id)
    assert lot["lotId"] == lot_id and lot["custodian"] == "FarmMSP" and lot["status"] == "HARVESTED"
    history = json.loads(contracts["processor"].evaluate_transaction("GetLotHistory", lot_id))
    assert history[0]["txId"] == submitted.transaction_id


def test_bad_input_is_rejected_clearly_and_changes_nothing(network: FabricNetwork, contracts) -> None:
    _ensure_product(contracts["farm"])
    before = _height(network)
    lot_id = f"LOT-BAD-{uuid.uuid4().hex[:8]}"
    with pytest.raises(EndorseError) as caught:
        contracts["farm"].submit_transaction(
            "HarvestLot", lot_id, "PRD-E2E", "Butterhead", "-5", "kg", "E2E Farm", "North", "P1", "2026-05-01"
        )
    assert caught.value.chaincode_code == "INVALID_ARGUMENT"
    assert "quantity" in caught.value.chaincode_message
    with pytest.raises(EvaluateError) as missing:
        contracts["retail"].evaluate_transaction("GetLot", lot_id)
    assert missing.value.chaincode_code == "NOT_FOUND"
    assert _height(network) == before


def _height(network: FabricNetwork) -> int:
    return next(s.ledger_height for s in network.status() if s.name.startswith("peer0.farm"))


def _ensure_product(contract) -> None:
    products = json.loads(contract.evaluate_transaction("ListProducts") or b"[]")
    if not any(p["productId"] == "PRD-E2E" for p in products):
        contract.submit_transaction("DefineProduct", "PRD-E2E", "E2E lettuce", "1", "4")
