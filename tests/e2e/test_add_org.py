"""Consortium growth: a fourth org joins the running channel, endorses, acts as carrier, and leaves again.

Runs on a network of its own (ports +11700) because a fourth org changes what MAJORITY means for
every other test. The web app is created first, over the same network object; the org then joins
through the architects' storyboard action (``FabricControl.add_org``), and the app, which was never
told, lists it.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from fabdemo import context
from fabdemo.api.app import create_app
from fabdemo.api.deps import presenter_of
from fabdemo.appserver import InProcessServer
from fabdemo.connections import connect_org
from fabdemo.network.manager import FabricNetwork
from fabdemo.storyboard.engine import ActionReport, StoryRun
from fabdemo.storyboard.model import load_all
from fabric_gateway import GatewayConnectionError, GatewayError, connect, load_msp_identity
from tests.conftest import e2e_settings
from tests.e2e.eventually import read_until

pytestmark = pytest.mark.e2e

PRODUCT = ("PRD-MILK", "Fresh milk", "2", "6")
SETTINGS = e2e_settings("add-org-state", 11700)


@pytest.fixture(scope="module")
def growing_network():
    net = context.open_network(SETTINGS)
    net.down(lambda _m: None)
    net.up(lambda _m: None)
    yield net
    net.down(lambda _m: None)


@dataclass
class Joined:
    net: FabricNetwork
    app: httpx.Client  # the web app, created (and serving) before the org joined
    before: dict[str, Any]  # its GET /api/network then
    report: ActionReport  # the storyboard action that added the org
    run: StoryRun
    seconds: float
    lot_id: str


def _peer_names(status: dict[str, Any]) -> list[str]:
    return [n["name"] for n in status["nodes"] if n["kind"] == "peer"]


@pytest.fixture(scope="module")
def carrier_joined(growing_network: FabricNetwork) -> Iterator[Joined]:
    """The app first; then the architects' storyboard action adds the carrier, through the app's network."""
    net = growing_network
    app = create_app(SETTINGS, network=net, follow_blocks=False)
    architects = next(s for s in load_all(SETTINGS.repo_root / "demos") if s.id == "architects")
    join = next(a for scene in architects.scenes for a in scene.actions if a.control == "add_org")
    assert join.org == "carrier"
    session = presenter_of(app, app.state.service, app.state.network)  # the app's own presenter session
    assert session.engine.control.network is net  # its storyboards act on the app's network object
    with InProcessServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        before = client.get("/api/network").json()
        run = StoryRun(architects)
        started = time.monotonic()
        report = asyncio.run(session.engine.run_action(run, join))
        seconds = time.monotonic() - started
        yield Joined(net, client, before, report, run, seconds, f"MILK-{uuid.uuid4().hex[:8]}")


def _contract(gateway, network: FabricNetwork):
    return gateway.get_network(network.topology.channel_name).get_contract(network.topology.chaincode.name)


def test_a_storyboard_adds_the_fourth_org(carrier_joined: Joined) -> None:
    net, report = carrier_joined.net, carrier_joined.report
    assert report.ok, report
    result = carrier_joined.run.results[report.id]["result"]
    assert result["outcome"] == "added" and "CarrierMSP" in result["orgs"]
    print(f"onboarding took {carrier_joined.seconds:.1f}s")
    assert net.add_org("carrier", print) == "already-member"


def test_the_app_created_before_lists_the_new_peer(carrier_joined: Joined) -> None:
    assert not any(name.startswith("peer0.carrier") for name in _peer_names(carrier_joined.before))
    assert "carrier" not in {o["key"] for o in carrier_joined.before["orgs"]}

    status = carrier_joined.app.get("/api/network").json()
    carrier_peers = [n for n in status["nodes"] if n["name"].startswith("peer0.carrier")]
    assert len(carrier_peers) == 1, _peer_names(status)
    assert carrier_peers[0]["msp_id"] == "CarrierMSP" and carrier_peers[0]["healthy"], carrier_peers
    assert "carrier" in {o["key"] for o in status["orgs"]} and status["error"] is None
    assert "carrier" in {o["key"] for o in carrier_joined.app.get("/api/orgs").json()["orgs"]}
    lots = carrier_joined.app.get("/api/lots", params={"org": "carrier"})  # the app's gateways, as the new org
    assert lots.status_code == 200, lots.text


def test_fourth_org_endorses_and_records_as_carrier(carrier_joined: Joined) -> None:
    net = carrier_joined.net

    peers = [s for s in net.status() if s.kind == "peer"]
    assert len(peers) == 4 and len({p.ledger_height for p in peers}) == 1

    topology, layout = net.topology, net.layout
    lot_id = carrier_joined.lot_id
    with (
        connect_org(topology, layout, topology.peer_org("farm")) as farm_gw,
        connect_org(topology, layout, topology.peer_org("carrier")) as carrier_gw,
    ):
        farm, carrier = _contract(farm_gw, net), _contract(carrier_gw, net)
        assert json.loads(farm.evaluate_transaction("GetRoles"))["CarrierMSP"] == ["carrier"]
        farm.submit_transaction("DefineProduct", *PRODUCT)
        farm.submit_transaction(
            "HarvestLot", lot_id, PRODUCT[0], "Whole", "800", "l", "Dairy", "Hill", "H1", "2026-05-11"
        )
        farm.submit_transaction(
            "ProposeTransfer", lot_id, "ProcessorMSP", "ColdLink Logistics", "TRK-4", "Hill -> Plant"
        )

        submitted = carrier.submit_async("RecordTemperature", arguments=[lot_id, "4.2", "Reefer truck TRK-4"])
        status = submitted.get_status()
        assert status.successful
        with carrier_gw.get_network(topology.channel_name).get_block_events(start_block=status.block_number) as blocks:
            block = next(iter(blocks))
        tx = next(t for t in block.transactions if t.transaction_id == submitted.transaction_id)
        assert tx.creator_msp_id == "CarrierMSP"
        assert len(set(tx.endorser_msp_ids)) >= 3  # MAJORITY of four orgs

        lot = read_until(farm, "GetLot", lot_id, until=lambda lot: len(lot["temperatures"]) > 0)
        reading = lot["temperatures"][-1]
        assert reading["recordedBy"] == "CarrierMSP" and reading["celsius"] == 4.2


def test_the_fourth_org_leaves_again(carrier_joined: Joined) -> None:
    net, layout, lot_id = carrier_joined.net, carrier_joined.net.layout, carrier_joined.lot_id
    assert net.remove_org("carrier", print) == "removed"
    assert len(net.topology.peer_orgs) == 3
    # The carrier's identity is no longer a member: a member's peer refuses it.
    carrier_org = net.base_topology.joinable_org("carrier")
    processor = net.topology.peer_org("processor")
    identity, signer = load_msp_identity(layout.user_msp(carrier_org), carrier_org.msp_id)
    with connect(
        processor.peer.address,
        tls_root_cert_path=layout.peer_tls_ca(processor),
        server_name_override=processor.peer.host,
        identity=identity,
        signer=signer,
    ) as gateway:
        with pytest.raises(GatewayError) as refused:
            _contract(gateway, net).evaluate_transaction("GetLot", lot_id)
        assert not isinstance(refused.value, GatewayConnectionError)
        assert "access denied" in str(refused.value).lower() or "not defined" in str(refused.value).lower()
    status = carrier_joined.app.get("/api/network").json()  # the same app follows the leave, too
    assert not any(name.startswith("peer0.carrier") for name in _peer_names(status))
