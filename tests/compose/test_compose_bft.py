"""SmartBFT on the Compose runtime: four orderer containers (the fourth is the file's "bft" profile).

Run by `make test-compose` (scripts/test-compose.sh provides the engine and, offline, stand-in images);
skipped otherwise. Its own project, state and ports (+12400): up with CONSENSUS=bft, a commit, the
fourth orderer's container stopped while transactions keep committing, restarted and caught up, down
with nothing of the project left.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from fabdemo import context
from fabdemo.connections import connect_org
from fabdemo.network.manager import FabricNetwork
from fabdemo.network.nodes import NodeKind
from fabdemo.settings import Settings

pytestmark = [
    pytest.mark.compose,
    pytest.mark.skipif(os.environ.get("FABDEMO_COMPOSE_TEST") != "1", reason="run by `make test-compose`"),
]

PORT_OFFSET = int(os.environ.get("FABDEMO_COMPOSE_BFT_TEST_PORT_OFFSET", "12400"))
PROJECT = "fabdemo-test-bft"
STATE = Path(__file__).resolve().parents[1] / "artifacts" / "compose-bft-state"
FOURTH = "orderer4.orderer.example.com"
PRODUCT = ("PRD-BFT-COMPOSE", "BFT compose produce", "1", "8")


def _settings() -> Settings:
    return Settings(
        state_dir=STATE, port_offset=PORT_OFFSET, runtime="compose", compose_project=PROJECT, consensus="bft"
    )


@pytest.fixture(scope="module")
def network() -> Iterator[FabricNetwork]:
    context.open_network(_settings().model_copy(update={"consensus": None})).down(lambda _m: None)
    net = context.open_network(_settings(), progress=print)
    net.up(print)
    yield net
    net.down(print)


def test_four_orderer_containers_commit_with_the_fourth_stopped_and_it_catches_up(network: FabricNetwork) -> None:
    orderers = [s for s in network.status() if s.kind == "orderer"]
    assert len(orderers) == 4 and all(s.healthy and s.container for s in orderers), orderers
    assert network.state.consensus == "bft" and network.runtime.name == "compose"
    topology = network.topology
    with connect_org(topology, network.layout, topology.peer_org("farm")) as gateway:
        contract = gateway.get_network(topology.channel_name).get_contract(topology.chaincode.name)
        contract.submit_transaction("DefineProduct", *PRODUCT)
        # The harvests are endorsed by other orgs' peers too: wait until they have the product's block
        # (this raw client has no cross-org catch-up of its own, unlike the service layer).
        network.nodes.wait_for_equal_heights((NodeKind.PEER,), 30.0, "the peers to commit the product")

        def harvest() -> str:
            lot_id = f"LOT-BFTC-{uuid.uuid4().hex[:8]}"
            contract.submit_transaction(
                "HarvestLot", lot_id, PRODUCT[0], "T", "10", "kg", "Farm", "Road", "P1", "2026-12-02"
            )
            return lot_id

        lots = [harvest()]
        assert network.nodes.stop_node(FOURTH)
        lots += [harvest() for _ in range(3)]
        network.nodes.start_node(FOURTH)
        lots.append(harvest())
        heights = network.nodes.wait_for_equal_heights((NodeKind.ORDERER, NodeKind.PEER), 60.0, f"{FOURTH} to catch up")
        assert len(set(heights.values())) == 1 and heights[FOURTH]
        for lot_id in lots:
            assert json.loads(contract.evaluate_transaction("GetLot", lot_id))["lotId"] == lot_id
