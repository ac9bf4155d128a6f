from __future__ import annotations

import threading
import time

import pytest
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.orderer import ab_pb2
from gw_fakes import MVCC, FakeGateway

from fabric_gateway import FileCheckpointer, GatewayError, InMemoryCheckpointer, connect
from fabric_gateway.connection import ChannelCache
from fabric_gateway.events import DeliverStatusError, build_block_events_request, start_position
from fabric_gateway.identity import SigningIdentity


@pytest.fixture
def gateway(server, credentials):
    with connect(
        server.endpoint,
        insecure=True,
        identity=credentials.identity,
        signer=credentials.signer,
        cache=ChannelCache(),
    ) as gw:
        yield gw


@pytest.fixture
def network(gateway):
    return gateway.get_network("mychannel")


@pytest.fixture
def contract(network):
    return network.get_contract("basic")


def test_start_position_resolution():
    position, after = start_position(None, None)
    assert position.WhichOneof("Type") == "next_commit" and after == ""
    position, after = start_position(5, None)
    assert position.specified.number == 5 and after == ""
    checkpointer = InMemoryCheckpointer()
    position, _ = start_position(5, checkpointer)  # empty checkpoint: start_block wins
    assert position.specified.number == 5
    checkpointer.checkpoint_transaction(7, "tx7")
    position, after = start_position(5, checkpointer)
    assert position.specified.number == 7 and after == "tx7"
    checkpointer.checkpoint_block(7)
    position, after = start_position(None, checkpointer)
    assert position.specified.number == 8 and after == ""
    with pytest.raises(ValueError):
        start_position(-1, None)


def test_chaincode_events_request_is_signed(credentials, network, fake: FakeGateway):
    with network.get_chaincode_events("basic", start_block=3):
        deadline = time.monotonic() + 5
        while not any(kind == "chaincode_events" for kind, _ in fake.requests) and time.monotonic() < deadline:
            time.sleep(0.01)
    request = next(r for kind, r in fake.requests if kind == "chaincode_events")
    assert isinstance(request, gateway_pb2.ChaincodeEventsRequest)
    assert request.channel_id == "mychannel"
    assert request.chaincode_id == "basic"
    assert request.identity == credentials.identity.serialize()
    assert request.start_position.specified.number == 3


def test_chaincode_events_with_checkpoint_resume(contract, network, fake: FakeGateway):
    fake.events["Echo"] = "LotHarvested"
    for i in range(4):
        contract.submit_transaction("Echo", f"LOT-{i}")
    checkpointer = InMemoryCheckpointer()
    received = []
    with network.get_chaincode_events("basic", start_block=0, checkpointer=checkpointer) as events:
        for event in events:
            received.append(event)
            checkpointer.checkpoint_chaincode_event(event)
            if len(received) == 2:
                break
    assert [e.payload for e in received] == [b"LOT-0", b"LOT-1"]
    first = received[0]
    assert first.block_number == 1
    assert first.chaincode_name == "basic"
    assert first.event_name == "LotHarvested"
    assert len(first.transaction_id) == 64
    assert checkpointer.block_number == 2
    assert checkpointer.transaction_id == received[1].transaction_id

    # A new listener resumes after the checkpointed transaction; start_block is ignored.
    with network.get_chaincode_events("basic", start_block=0, checkpointer=checkpointer) as events:
        resumed = [next(events).payload, next(events).payload]
    assert resumed == [b"LOT-2", b"LOT-3"]
    request = [r for kind, r in fake.requests if kind == "chaincode_events"][-1]
    assert request.after_transaction_id == received[1].transaction_id
    assert request.start_position.specified.number == 2


def test_events_of_invalid_transactions_are_not_delivered(contract, network, fake: FakeGateway):
    fake.events["Echo"] = "E"
    fake.commit_codes["Echo"] = [MVCC]
    contract.submit_async("Echo", arguments=["bad"]).get_status()
    contract.submit_transaction("Echo", "good")
    with network.get_chaincode_events("basic", start_block=0) as events:
        assert next(events).payload == b"good"


def test_close_from_another_thread_ends_iteration(network):
    events = network.get_chaincode_events("basic")  # next commit: nothing arrives
    timer = threading.Timer(0.2, events.close)
    timer.start()
    started = time.monotonic()
    assert list(events) == []
    assert time.monotonic() - started < 5
    assert events.closed


def test_live_events_arrive(contract, network, fake: FakeGateway):
    fake.events["Echo"] = "E"
    with network.get_chaincode_events("basic") as events:
        submitter = threading.Timer(0.1, lambda: contract.submit_transaction("Echo", "live"))
        submitter.start()
        assert next(events).payload == b"live"
        submitter.join()


def test_block_events(contract, network, fake: FakeGateway, credentials):
    fake.events["Echo"] = "E"
    contract.submit_transaction("Echo", "one")
    fake.commit_codes["Echo"] = [MVCC]
    contract.submit_async("Echo", arguments=["two"]).get_status()
    checkpointer = InMemoryCheckpointer()
    blocks = []
    with network.get_block_events(start_block=0, checkpointer=checkpointer) as stream:
        for block in stream:
            blocks.append(block)
            checkpointer.checkpoint_block(block.number)
            if block.number == 2:
                break
    assert [b.number for b in blocks] == [0, 1, 2]
    assert blocks[0].transactions[0].type_name == "CONFIG"
    tx = blocks[1].transactions[0]
    assert tx.valid and tx.function_name == "Echo" and tx.arguments == [b"one"]
    assert tx.creator_msp_id == "Org1MSP"
    assert tx.endorser_msp_ids == ["Org1MSP", "Org2MSP"]
    assert [e.payload for e in blocks[1].chaincode_events()] == [b"one"]
    assert blocks[2].transactions[0].validation_code_name == "MVCC_READ_CONFLICT"
    assert blocks[2].chaincode_events() == []
    assert checkpointer.block_number == 3

    # Resuming from the checkpoint starts at the next block.
    contract.submit_transaction("Echo", "three")
    with network.get_block_events(checkpointer=checkpointer) as stream:
        assert next(stream).number == 3

    with network.get_raw_block_events(start_block=1) as stream:
        raw = next(stream)
    assert isinstance(raw, common_pb2.Block) and raw.header.number == 1


def test_filtered_block_events(contract, network, fake: FakeGateway):
    fake.events["Echo"] = "E"
    contract.submit_transaction("Echo", "f")
    with network.get_filtered_block_events(start_block=1) as stream:
        block = next(stream)
    assert block.number == 1
    assert block.channel_id == "mychannel"
    ftx = block.transactions[0]
    assert ftx.valid and ftx.type_name == "ENDORSER_TRANSACTION"
    assert [e.event_name for e in ftx.chaincode_events] == ["E"]


def test_deliver_status_error(gateway):
    with (
        gateway.get_network("nochannel").get_block_events(start_block=0) as stream,
        pytest.raises(DeliverStatusError, match="NOT_FOUND"),
    ):
        next(stream)
    assert stream.closed


def test_stream_error_is_typed(server, credentials):
    with connect(
        server.endpoint,
        insecure=True,
        identity=credentials.identity,
        signer=credentials.signer,
        cache=ChannelCache(),
    ) as gw:
        events = gw.get_network("mychannel").get_chaincode_events("basic", timeout=0.2)
        with pytest.raises(GatewayError) as info:
            next(events)
        assert info.value.grpc_code is not None and info.value.grpc_code.name == "DEADLINE_EXCEEDED"


def test_block_events_request(credentials):
    signing = SigningIdentity(credentials.identity, credentials.signer)
    envelope = build_block_events_request(signing, "ch", start_block=4, tls_cert_hash=b"h" * 32)
    payload = common_pb2.Payload.FromString(envelope.payload)
    header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    assert header.type == common_pb2.HeaderType.DELIVER_SEEK_INFO
    assert header.channel_id == "ch"
    assert header.tls_cert_hash == b"h" * 32
    seek = ab_pb2.SeekInfo.FromString(payload.data)
    assert seek.start.specified.number == 4
    assert seek.stop.specified.number == 2**64 - 1
    assert seek.behavior == ab_pb2.SeekInfo.SeekBehavior.BLOCK_UNTIL_READY


def test_file_checkpointer_resume_across_listeners(tmp_path, contract, network, fake: FakeGateway):
    fake.events["Echo"] = "E"
    for i in range(3):
        contract.submit_transaction("Echo", str(i))
    path = tmp_path / "cp.json"
    with (
        FileCheckpointer(path) as checkpointer,
        network.get_chaincode_events("basic", start_block=0, checkpointer=checkpointer) as events,
    ):
        checkpointer.checkpoint_chaincode_event(next(events))
    with (
        FileCheckpointer(path) as checkpointer,
        network.get_chaincode_events("basic", checkpointer=checkpointer) as events,
    ):
        assert next(events).payload == b"1"
