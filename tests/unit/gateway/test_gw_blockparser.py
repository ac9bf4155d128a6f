from __future__ import annotations

from datetime import UTC, datetime

from fabric_protos.common import common_pb2
from fabric_protos.peer import events_pb2, transaction_pb2
from gw_fakes import MVCC, VALID, config_envelope, make_block, simple_envelope

from fabric_gateway.blockparser import parse_block, parse_filtered_block, transaction_filter


def _block():
    envelopes = [
        simple_envelope(
            "tx-a",
            creator_msp="FarmMSP",
            chaincode="provenance",
            args=[b"HarvestLot", b"LOT-1", b"apples"],
            endorsers=["FarmMSP", "ProcessorMSP", "FarmMSP"],
            event_name="LotHarvested",
            event_payload=b'{"id":"LOT-1"}',
        ),
        simple_envelope(
            "tx-b",
            creator_msp="RetailerMSP",
            chaincode="provenance",
            args=[b"SellLot", b"LOT-1"],
            endorsers=["RetailerMSP"],
            event_name="LotSold",
        ),
        simple_envelope("tx-c", chaincode="other", args=[b"Ping"]),
    ]
    return make_block(7, envelopes, [VALID, MVCC, transaction_pb2.TxValidationCode.ENDORSEMENT_POLICY_FAILURE])


def test_parse_block_transactions():
    block = parse_block(_block())
    assert block.number == 7
    assert block.channel_id == "mychannel"
    assert block.previous_hash == b"p" * 32
    assert [t.transaction_id for t in block.transactions] == ["tx-a", "tx-b", "tx-c"]

    a, b, c = block.transactions
    assert a.index == 0
    assert a.type_name == "ENDORSER_TRANSACTION"
    assert a.valid and a.validation_code_name == "VALID"
    assert a.creator_msp_id == "FarmMSP"
    assert a.endorser_msp_ids == ["FarmMSP", "ProcessorMSP"]
    assert a.chaincode_name == "provenance"
    assert a.function_name == "HarvestLot"
    assert a.arguments == [b"LOT-1", b"apples"]
    assert a.timestamp == datetime.fromtimestamp(1_700_000_000, tz=UTC)
    [event] = a.chaincode_events
    assert (
        event.block_number,
        event.transaction_id,
        event.chaincode_name,
        event.event_name,
        event.payload,
    ) == (
        7,
        "tx-a",
        "provenance",
        "LotHarvested",
        b'{"id":"LOT-1"}',
    )

    assert not b.valid and b.validation_code_name == "MVCC_READ_CONFLICT"
    assert b.creator_msp_id == "RetailerMSP"
    assert b.function_name == "SellLot"
    assert c.validation_code_name == "ENDORSEMENT_POLICY_FAILURE"
    assert c.chaincode_events == []


def test_chaincode_events_of_valid_transactions_only():
    block = parse_block(_block())
    assert [e.event_name for e in block.chaincode_events()] == ["LotHarvested"]
    assert [e.event_name for e in block.chaincode_events(valid_only=False)] == ["LotHarvested", "LotSold"]


def test_config_block_and_missing_filter():
    block = parse_block(make_block(0, [config_envelope()], None))
    [tx] = block.transactions
    assert tx.type_name == "CONFIG"
    assert tx.validation_code_name == "NOT_VALIDATED"
    assert tx.creator_msp_id == "OrdererMSP"
    assert tx.function_name is None and tx.chaincode_name is None
    assert transaction_filter(common_pb2.Block()) == b""


def test_parse_filtered_block():
    filtered = events_pb2.FilteredBlock(channel_id="c", number=3)
    ftx = filtered.filtered_transactions.add(
        txid="t1", type=common_pb2.HeaderType.ENDORSER_TRANSACTION, tx_validation_code=MVCC
    )
    ftx.transaction_actions.chaincode_actions.add().chaincode_event.event_name = "Ev"
    ftx.transaction_actions.chaincode_actions.add()  # action without event
    parsed = parse_filtered_block(filtered)
    assert parsed.number == 3 and parsed.channel_id == "c"
    [tx] = parsed.transactions
    assert tx.transaction_id == "t1" and tx.validation_code_name == "MVCC_READ_CONFLICT" and not tx.valid
    assert [(e.event_name, e.transaction_id, e.block_number) for e in tx.chaincode_events] == [("Ev", "t1", 3)]


def test_state_writes_of_a_transaction():
    envelope = simple_envelope(
        "tx-w",
        chaincode="provenance",
        args=[b"SplitLot"],
        writes=[("\x00lot\x00LOT-1\x00", b'{"lotId":"LOT-1"}'), ("\x00idx\x00old\x00", None)],
    )
    [tx] = parse_block(make_block(3, [envelope], [VALID])).transactions
    put, delete = tx.writes
    assert (put.namespace, put.key, put.value, put.is_delete) == (
        "provenance",
        "\x00lot\x00LOT-1\x00",
        b'{"lotId":"LOT-1"}',
        False,
    )
    assert delete.key == "\x00idx\x00old\x00" and delete.is_delete
    [plain] = parse_block(make_block(4, [simple_envelope("tx-r")], [VALID])).transactions
    assert plain.writes == []  # a query-like transaction with no write set
