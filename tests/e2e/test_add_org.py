"""Consortium growth: a fourth org joins the running channel, endorses, acts as carrier, and leaves again.

Runs on a network of its own (ports +11700) because a fourth org changes what MAJORITY means for
every other test.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

from fabdemo import context
from fabdemo.connections import connect_org
from fabdemo.network.manager import FabricNetwork
from fabric_gateway import GatewayConnectionError, GatewayError, connect, load_msp_identity
from tests.conftest import e2e_settings
from tests.e2e.eventually import read_until

pytestmark = pytest.mark.e2e

PRODUCT = ("PRD-MILK", "Fresh milk", "2", "6")


@pytest.fixture(scope="module")
def growing_network():
    net = context.open_network(e2e_settings("add-org-state", 11700))
    net.down(lambda _m: None)
    net.up(lambda _m: None)
    yield net
    net.down(lambda _m: None)


def _contract(gateway, network: FabricNetwork):
    return gateway.get_network(network.topology.channel_name).get_contract(network.topology.chaincode.name)


def test_fourth_org_joins_endorses_and_records_as_carrier(growing_network: FabricNetwork) -> None:
    net = growing_network
    started = time.monotonic()
    assert net.add_org("carrier", print) == "added"
    onboard_seconds = time.monotonic() - started
    print(f"onboarding took {onboard_seconds:.1f}s")
    assert net.add_org("carrier", print) == "already-member"

    peers = [s for s in net.status() if s.kind == "peer"]
    assert len(peers) == 4 and len({p.ledger_height for p in peers}) == 1

    topology, layout = net.topology, net.layout
    lot_id = f"MILK-{uuid.uuid4().hex[:8]}"
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
