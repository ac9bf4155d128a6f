"""The Compose runtime end to end, on a real Docker engine with the real docker-compose.yaml.

Run by `make test-compose` (scripts/test-compose.sh), which provides the engine and, where no registry
can be reached, stand-in images; skipped otherwise. One network for the whole module: up through the
CLI, the contract committed, a cross-org submit and read, a peer stopped and restarted, a snapshot
reset, the app container, and down with no container, network or volume left.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from fabdemo import context
from fabdemo.connections import connect_org
from fabdemo.network import chaincode as cc
from fabdemo.network.manager import FabricNetwork
from fabdemo.settings import Settings
from fabric_gateway import EvaluateError

pytestmark = [
    pytest.mark.compose,
    pytest.mark.skipif(os.environ.get("FABDEMO_COMPOSE_TEST") != "1", reason="run by `make test-compose`"),
]

PORT_OFFSET = int(os.environ.get("FABDEMO_COMPOSE_TEST_PORT_OFFSET", "11900"))
PROJECT = os.environ.get("FABDEMO_COMPOSE_TEST_PROJECT", "fabdemo-test")
STATE = Path(__file__).resolve().parents[1] / "artifacts" / "compose-state"
APP_PORT = 8000 + PORT_OFFSET // 1000 + 1  # 8012 by default: beside a developer's app on 8000
ENV = {
    **os.environ,
    "RUNTIME": "compose",
    "FABDEMO_STATE_DIR": str(STATE),
    "FABDEMO_PORT_OFFSET": str(PORT_OFFSET),
    "FABDEMO_COMPOSE_PROJECT": PROJECT,
    "APP_PORT": str(APP_PORT),
}
TIMINGS: dict[str, float] = {}


def _cli(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "fabdemo.cli", *args], env=ENV, capture_output=True, text=True, timeout=timeout
    )
    TIMINGS[" ".join(args)] = round(time.monotonic() - started, 1)
    return proc


def _docker():
    import docker

    return docker.from_env()


def _leftovers() -> dict[str, list[str]]:
    client = _docker()
    label = {"label": f"com.docker.compose.project={PROJECT}"}
    return {
        "containers": [c.name for c in client.containers.list(all=True, filters=label)],
        "volumes": [v.name for v in client.volumes.list(filters=label)],
        "networks": [n.name for n in client.networks.list(filters=label)],
    }


@pytest.fixture(scope="module")
def network() -> Iterator[FabricNetwork]:
    _cli("down")  # leftovers of an interrupted run
    up = _cli("up")
    print(up.stdout[-3000:], up.stderr[-3000:])
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
    assert "Runtime: compose" in up.stdout and "Network started" in up.stdout
    settings = Settings(state_dir=STATE, port_offset=PORT_OFFSET, runtime="compose", compose_project=PROJECT)
    yield context.open_network(settings)
    down = _cli("down")
    assert down.returncode == 0, down.stdout + down.stderr
    timings = Path(__file__).resolve().parents[1] / "artifacts" / "compose-timings.json"
    timings.write_text(json.dumps(TIMINGS, indent=2))


def test_status_shows_every_node_healthy_in_its_container(network: FabricNetwork) -> None:
    status = _cli("status", "--json")
    data = json.loads(status.stdout)
    assert data["runtime"] == "compose" and data["bootstrapped"] is True
    nodes = data["nodes"]
    assert len(nodes) == 9 and all(n["healthy"] for n in nodes), nodes
    assert all(n["container"] and PROJECT in n["container"] for n in nodes)
    assert sum(1 for n in nodes if n["raft_leader"]) == 1
    # The nodes advertise their host names to each other: the channel's anchor peers and orderer
    # endpoints, and the chaincode server address in each org's package.
    configtx = (STATE / "config" / "configtx" / "configtx.yaml").read_text()
    assert "orderer1.orderer.example.com:" in configtx and "127.0.0.1" not in configtx


def test_contract_committed(network: FabricNetwork) -> None:
    committed = cc.query_committed(network.topology, network.layout, network.fabric)
    assert committed is not None and committed.sequence == 1
    assert committed.version.endswith(network.state.chaincode["label"].rsplit("_", 1)[1])


def _harvest(contract, lot_id: str, network: FabricNetwork) -> int:
    products = json.loads(contract.evaluate_transaction("ListProducts") or b"[]")
    if not any(p["productId"] == "PRD-CMP" for p in products):
        contract.submit_transaction("DefineProduct", "PRD-CMP", "Compose lettuce", "1", "4")
        # The harvest's other endorser must have the product's block first (a raw client: no catch-up).
        network.nodes.wait_for_equal_heights(timeout=30.0, what="the peers to commit the product")
    submitted = (
        contract.new_proposal(
            "HarvestLot",
            arguments=[lot_id, "PRD-CMP", "Butterhead", "50", "kg", "Farm", "North", "P1", "2026-05-01"],
        )
        .endorse()
        .submit()
    )
    status = submitted.get_status()
    assert status.successful
    return status.block_number


def _contract(network: FabricNetwork, org_key: str):
    gateway = connect_org(network.topology, network.layout, network.topology.peer_org(org_key))
    contract = gateway.get_network(network.topology.channel_name).get_contract(network.topology.chaincode.name)
    return gateway, contract


def test_cross_org_submit_and_read(network: FabricNetwork) -> None:
    farm_gw, farm = _contract(network, "farm")
    retail_gw, retail = _contract(network, "retail")
    with farm_gw, retail_gw:
        lot_id = f"LOT-CMP-{uuid.uuid4().hex[:8]}"
        assert _harvest(farm, lot_id, network) > 0
        lot = json.loads(retail.evaluate_transaction("GetLot", lot_id))
        assert lot["custodian"] == "FarmMSP" and lot["status"] == "HARVESTED"


def test_stop_and_restart_a_peer(network: FabricNetwork) -> None:
    name = "peer0.processor.example.com"
    spec = network.nodes.spec(name)
    container = network.runtime.container_id(spec)
    assert network.nodes.stop_node(name) is True
    assert not network.runtime.is_running(spec)
    assert _docker().containers.get(container).status == "exited"
    farm_gw, farm = _contract(network, "farm")
    with farm_gw:
        # MAJORITY of three orgs: farm and retail still endorse while the processor's peer is down.
        _harvest(farm, f"LOT-CMP-{uuid.uuid4().hex[:8]}", network)
        network.nodes.start_node(name)
        assert network.runtime.container_id(spec) == container  # the same container, started again
        network.nodes.wait_for_gossip()
        lot_id = f"LOT-CMP-{uuid.uuid4().hex[:8]}"
        _harvest(farm, lot_id, network)
    processor_gw, processor = _contract(network, "processor")
    with processor_gw:
        _read_eventually(processor, lot_id)  # the restarted peer pulls the blocks it missed


def _read_eventually(contract, lot_id: str, timeout: float = 30) -> None:
    """Read a lot through a peer that may commit the block a moment after the submitter's peer did."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            assert json.loads(contract.evaluate_transaction("GetLot", lot_id))["lotId"] == lot_id
            return
        except EvaluateError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_snapshot_and_reset_rewind_the_ledgers_in_the_volumes(network: FabricNetwork) -> None:
    save = _cli("snapshot", "compose-test")
    assert save.returncode == 0, save.stdout + save.stderr
    farm_gw, farm = _contract(network, "farm")
    with farm_gw:
        lot_id = f"LOT-CMP-{uuid.uuid4().hex[:8]}"
        _harvest(farm, lot_id, network)
    reset = _cli("reset", "compose-test")
    assert reset.returncode == 0, reset.stdout + reset.stderr
    farm_gw, farm = _contract(network, "farm")
    with farm_gw:
        with pytest.raises(EvaluateError) as missing:
            farm.evaluate_transaction("GetLot", lot_id)
        assert missing.value.chaincode_code == "NOT_FOUND"
        _harvest(farm, f"LOT-CMP-{uuid.uuid4().hex[:8]}", network)  # and the rewound network keeps working


def test_app_container_serves_the_api(network: FabricNetwork) -> None:
    start = _cli("app", "start")
    assert start.returncode == 0, start.stdout + start.stderr
    assert "container" in start.stdout
    with urllib.request.urlopen(f"http://127.0.0.1:{APP_PORT}/healthz", timeout=10) as response:
        assert response.status == 200
    with urllib.request.urlopen(f"http://127.0.0.1:{APP_PORT}/api/network", timeout=30) as response:
        body = json.loads(response.read())
    # The app reaches the peers by host name and reads node status through the Docker API.
    assert body["channel"] == network.topology.channel_name
    assert {n["name"] for n in body["nodes"]} >= {"peer0.farm.example.com", "orderer1.orderer.example.com"}
    stop = _cli("app", "stop")
    assert stop.returncode == 0 and "Stopped" in stop.stdout


def test_add_org_onboards_the_carrier_in_its_own_containers(network: FabricNetwork) -> None:
    added = _cli("add-org", "carrier")
    assert added.returncode == 0, added.stdout[-3000:] + added.stderr[-3000:]
    assert "Onboarded carrier" in added.stdout
    status = json.loads(_cli("status", "--json").stdout)
    carrier = [n for n in status["nodes"] if n["org"] == "carrier"]
    assert len(carrier) == 2 and all(n["healthy"] and n["container"] for n in carrier)
    settings = Settings(state_dir=STATE, port_offset=PORT_OFFSET, runtime="compose", compose_project=PROJECT)
    grown = context.open_network(settings)
    farm_gw, farm = _contract(grown, "farm")
    carrier_gw, carrier_contract = _contract(grown, "carrier")
    with farm_gw, carrier_gw:
        lot_id = f"LOT-CMP-{uuid.uuid4().hex[:8]}"
        _harvest(farm, lot_id, grown)  # MAJORITY is now 3 of 4 orgs
        _read_eventually(carrier_contract, lot_id)


def test_down_leaves_no_container_network_or_volume() -> None:
    # Runs last (file order): the module fixture is still up; take it down here and check.
    down = _cli("down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert _leftovers() == {"containers": [], "volumes": [], "networks": []}
    assert not STATE.exists()
