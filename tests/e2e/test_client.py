"""The Python Gateway client against the real network: every API, events with checkpoints, typed errors."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from fabdemo.connections import connect_org_async
from fabdemo.network.manager import FabricNetwork
from fabdemo.network.profile import profile_path
from fabric_gateway import (
    EndorseError,
    GatewayConnectionError,
    GatewayError,
    InMemoryCheckpointer,
    MvccConflictError,
    connect,
    connect_async,
    load_msp_identity,
    read_profile,
    submit_with_retry,
)
from fabric_gateway.errors import CommitError, CommitTimeoutError
from tests.e2e.eventually import read_until

pytestmark = pytest.mark.e2e

PRODUCT = ("PRD-CLIENT", "Client test berries", "0", "4")


def _lot_id(prefix: str = "CL") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _harvest_args(lot_id: str) -> list[str]:
    return [lot_id, PRODUCT[0], "Elsanta", "40", "kg", "Client Farm", "East", "E1", "2026-05-02"]


@pytest.fixture(scope="module")
def farm(contracts):
    farm = contracts["farm"]
    try:
        farm.submit_transaction("DefineProduct", *PRODUCT)
    except EndorseError as err:
        assert err.chaincode_code == "ALREADY_EXISTS"
    return farm


def test_submit_async_then_commit_status_later(farm) -> None:
    lot_id = _lot_id()
    submitted = farm.submit_async("HarvestLot", arguments=_harvest_args(lot_id))
    assert json.loads(submitted.result)["lotId"] == lot_id  # result is known before the commit
    status = submitted.get_status()
    assert status.successful and status.code_name == "VALID"
    assert status.transaction_id == submitted.transaction_id and status.block_number > 0


def test_chaincode_events_resume_from_checkpoint(network: FabricNetwork, gateways, farm) -> None:
    first, second = _lot_id("EVA"), _lot_id("EVB")
    start = farm.submit_async("HarvestLot", arguments=_harvest_args(first)).get_status().block_number
    farm.submit_transaction("HarvestLot", *_harvest_args(second))
    channel = gateways["farm"].get_network(network.topology.channel_name)
    checkpointer = InMemoryCheckpointer()

    def next_harvest(events) -> dict:
        for event in events:
            checkpointer.checkpoint_chaincode_event(event)
            if event.event_name == "LotHarvested":
                return json.loads(event.payload)
        raise AssertionError("stream ended")

    with channel.get_chaincode_events(network.topology.chaincode.name, start_block=start) as events:
        assert next_harvest(events)["lotId"] == first
    # The listener is closed and reopened from the checkpoint: it carries on with the next event.
    with channel.get_chaincode_events(network.topology.chaincode.name, checkpointer=checkpointer) as events:
        payload = next_harvest(events)
    assert payload["lotId"] == second and payload["actor"] == "FarmMSP"


def test_block_events_decode_transactions(network: FabricNetwork, gateways, farm) -> None:
    lot_id = _lot_id("BLK")
    submitted = farm.submit_async("HarvestLot", arguments=_harvest_args(lot_id))
    block_number = submitted.get_status().block_number
    channel = gateways["retail"].get_network(network.topology.channel_name)
    with channel.get_block_events(start_block=block_number) as blocks:
        block = next(iter(blocks))
    assert block.number == block_number
    tx = next(t for t in block.transactions if t.transaction_id == submitted.transaction_id)
    assert tx.function_name == "HarvestLot" and tx.chaincode_name == network.topology.chaincode.name
    assert tx.creator_msp_id == "FarmMSP"
    assert len(set(tx.endorser_msp_ids)) >= 2  # MAJORITY of three orgs
    assert tx.chaincode_events[0].event_name == "LotHarvested"
    with channel.get_filtered_block_events(start_block=block_number) as filtered:
        fblock = next(iter(filtered))
    assert submitted.transaction_id in [t.transaction_id for t in fblock.transactions]


def test_endorse_error_carries_per_peer_details(farm) -> None:
    with pytest.raises(EndorseError) as caught:
        farm.submit_transaction(
            "HarvestLot", _lot_id(), "PRD-DOES-NOT-EXIST", "x", "1", "kg", "F", "L", "P", "2026-01-01"
        )
    err = caught.value
    assert err.chaincode_code == "NOT_FOUND"
    assert err.details and all(d.msp_id and d.address for d in err.details)
    assert err.transaction_id


def test_mvcc_conflict_is_typed_and_retry_helper_recovers(farm) -> None:
    lot_id = _lot_id("MVCC")
    farm.submit_transaction("HarvestLot", *_harvest_args(lot_id))
    # Both read the same lot version and write it: the second one in the block is invalidated.
    first = farm.new_proposal("RecordInput", arguments=[lot_id, "FERTILISER", "N-P-K", "1 kg/ha", "2026-05-03"])
    second = farm.new_proposal("RecordInput", arguments=[lot_id, "PESTICIDE", "Neem oil", "2 L/ha", "2026-05-03"])
    tx1, tx2 = first.endorse(), second.endorse()
    statuses = [tx1.submit().get_status(), tx2.submit().get_status()]
    assert sorted(s.code_name for s in statuses) == ["MVCC_READ_CONFLICT", "VALID"]
    with pytest.raises(MvccConflictError):
        third = farm.new_proposal("RecordInput", arguments=[lot_id, "OTHER", "Mulch", "1 t/ha", "2026-05-04"])
        fourth = farm.new_proposal("RecordInput", arguments=[lot_id, "OTHER", "Straw", "1 t/ha", "2026-05-04"])
        a, b = third.endorse(), fourth.endorse()
        sa, sb = a.submit(), b.submit()
        sa.wait()
        sb.wait()
    result = submit_with_retry(farm, "RecordInput", lot_id, "IRRIGATION", "Drip", "5 mm", "2026-05-05")
    assert json.loads(result)["lotId"] == lot_id
    assert issubclass(MvccConflictError, CommitError)


def test_private_data_with_transient_and_chosen_endorsers(network: FabricNetwork, contracts, farm) -> None:
    lot_id = _lot_id("PDC")
    farm.submit_transaction("HarvestLot", *_harvest_args(lot_id))
    price = json.dumps(
        {
            "buyerMsp": "RetailerMSP",
            "sellerMsp": "ProcessorMSP",
            "unitPrice": 3.2,
            "currency": "EUR",
            "terms": "30 days",
            "salt": uuid.uuid4().hex,
        }
    ).encode()
    submitted = (
        contracts["processor"]
        .new_proposal(
            "SetPrice",
            arguments=[lot_id],
            transient_data={"price": price},
            endorsing_organizations=["ProcessorMSP", "RetailerMSP"],
        )
        .endorse()
        .submit()
    )
    assert submitted.get_status().successful
    price_seen = read_until(contracts["retail"], "GetPrice", lot_id, until=lambda p: p.get("currency") == "EUR")
    assert price_seen["currency"] == "EUR"


async def test_async_api_shares_the_same_protocol(network: FabricNetwork, farm) -> None:
    org = network.topology.peer_org("processor")
    gateway = await connect_org_async(network.topology, network.layout, org)
    async with gateway:
        contract = gateway.get_network(network.topology.channel_name).get_contract(network.topology.chaincode.name)
        roles = json.loads(await contract.evaluate_transaction("GetRoles"))
        assert roles["ProcessorMSP"] == ["processor"]
        lot_id = _lot_id("ASY")
        farm.submit_transaction("HarvestLot", *_harvest_args(lot_id))
        for _ in range(100):  # the processor's peer commits the block a moment after the farm's
            try:
                await contract.evaluate_transaction("GetLot", lot_id)
                break
            except GatewayError:
                await asyncio.sleep(0.05)
        results = await asyncio.gather(*(contract.evaluate_transaction("GetLot", lot_id) for _ in range(8)))
        assert all(json.loads(r)["lotId"] == lot_id for r in results)
        channel = gateway.get_network(network.topology.channel_name)
        async with channel.get_chaincode_events(network.topology.chaincode.name, start_block=0) as events:
            async for event in events:
                assert event.event_name == "RolesInitialized"
                break


def test_connection_failure_is_typed(network: FabricNetwork) -> None:
    org = network.topology.peer_org("farm")
    identity, signer = load_msp_identity(network.layout.user_msp(org), org.msp_id)
    with connect(
        "127.0.0.1:1",  # nothing listens here
        tls_root_cert_path=network.layout.peer_tls_ca(org),
        server_name_override=org.peer.host,
        identity=identity,
        signer=signer,
        evaluate_timeout=2,
    ) as gateway:
        contract = gateway.get_network(network.topology.channel_name).get_contract(network.topology.chaincode.name)
        with pytest.raises(GatewayConnectionError):
            contract.evaluate_transaction("GetRoles")


def test_exported_connection_profile_connects(network: FabricNetwork) -> None:
    """The standard profile the kit writes is enough to connect (as Explorer or Caliper would)."""
    org = network.topology.peer_org("retail")
    profile = read_profile(profile_path(network.layout, org))
    peer = next(p for p in profile.peers if p.name == org.peer.host)
    msp = next(o for o in profile.organizations if o.msp_id == org.msp_id)
    assert msp.peers == [org.peer.host] and profile.channels[0].name == network.topology.channel_name
    identity, signer = load_msp_identity(network.layout.user_msp(org), org.msp_id)
    with connect(
        peer.endpoint,
        tls_root_cert_path=peer.tls_ca_certs.path,
        server_name_override=peer.server_name,
        identity=identity,
        signer=signer,
    ) as gateway:
        contract = gateway.get_network(profile.channels[0].name).get_contract(network.topology.chaincode.name)
        assert "RetailerMSP" in json.loads(contract.evaluate_transaction("GetRoles"))


def test_async_connect_and_submit(network: FabricNetwork) -> None:
    async def run() -> str:
        org = network.topology.peer_org("farm")
        identity, signer = load_msp_identity(network.layout.user_msp(org), org.msp_id)
        gateway = await connect_async(
            org.peer.address,
            tls_root_cert_path=network.layout.peer_tls_ca(org),
            server_name_override=org.peer.host,
            identity=identity,
            signer=signer,
        )
        async with gateway:
            contract = gateway.get_network(network.topology.channel_name).get_contract(network.topology.chaincode.name)
            lot_id = _lot_id("ASUB")
            await contract.submit_transaction("HarvestLot", *_harvest_args(lot_id))
            return json.loads(await contract.evaluate_transaction("GetLot", lot_id))["status"]

    assert asyncio.run(run()) == "HARVESTED"


def test_commit_status_timeout_is_typed(farm) -> None:
    submitted = farm.submit_async("HarvestLot", arguments=_harvest_args(_lot_id("TMO")))
    with pytest.raises(CommitTimeoutError):
        submitted.get_status(timeout=0.001)  # far shorter than a block takes
    assert submitted.get_status().successful  # the transaction itself is fine: ask again
