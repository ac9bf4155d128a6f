"""Error mapping (gateway error -> stable code and HTTP status) and the block follower's bookkeeping."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import grpc
import pytest

from fabdemo.service.blocks import BlockFollower, alerts_of
from fabdemo.service.errors import ServiceError, from_gateway_error
from fabric_gateway import (
    ChaincodeEvent,
    CommitError,
    CommitTimeoutError,
    EndorseConnectionError,
    EndorseError,
    ErrorDetail,
    EvaluateError,
    ParsedBlock,
    ParsedTransaction,
)


def endorse_error(message: str) -> EndorseError:
    detail = ErrorDetail("127.0.0.1:7051", "FarmMSP", f"chaincode response 500, {message}")
    return EndorseError("failed to endorse transaction", grpc_code=grpc.StatusCode.ABORTED, details=[detail])


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("NOT_FOUND", 404),
        ("ALREADY_EXISTS", 409),
        ("FORBIDDEN", 403),
        ("NOT_CUSTODIAN", 403),
        ("INVALID_ARGUMENT", 400),
        ("INVALID_STATE", 409),
        ("RECALLED", 409),
    ],
)
def test_contract_codes_keep_their_code(code: str, status: int) -> None:
    error = from_gateway_error(endorse_error(f"{code}: something about lot L"))
    assert (error.code, error.http_status, error.source) == (code, status, "contract")
    assert error.message == "something about lot L"


def test_chinese_messages() -> None:
    error = from_gateway_error(
        endorse_error('NOT_FOUND: lot LOT-9 does not exist {"key":"LOT_NOT_FOUND","params":{"lot":"LOT-9"}}')
    )
    assert (error.message, error.message_zh) == ("lot LOT-9 does not exist", "未找到：批次 LOT-9 不存在")
    error = from_gateway_error(
        endorse_error(
            "NOT_CUSTODIAN: lot L is held by FarmMSP, not ProcessorMSP "
            '{"key":"NOT_CUSTODIAN_HELD_BY","params":{"caller":"ProcessorMSP","custodian":"FarmMSP","lot":"L"}}'
        )
    )
    assert error.message_zh == "不是当前保管方：批次 L 由 FarmMSP 保管，而不是 ProcessorMSP"
    error = from_gateway_error(
        endorse_error(
            "FORBIDDEN: ProcessorMSP must hold the grower role "
            '{"key":"ROLE_REQUIRED","params":{"msp":"ProcessorMSP","roles":"grower"}}'
        )
    )
    assert error.message_zh == "无权操作：ProcessorMSP 必须拥有 grower 角色"
    unknown = from_gateway_error(endorse_error("INVALID_STATE: ledger error during GetState: boom"))
    assert unknown.message_zh == "状态不允许：ledger error during GetState: boom"  # never loses the text


def test_evaluate_error_in_message_only() -> None:
    error = EvaluateError(
        "evaluate call to endorser returned error: chaincode response 500, "
        'RECALLED: lot L has been recalled {"key":"LOT_RECALLED","params":{"lot":"L"}}'
    )
    mapped = from_gateway_error(error)
    assert mapped.code == "RECALLED" and mapped.message_zh == "已召回：批次 L 已被召回"
    assert (mapped.key, mapped.params) == ("LOT_RECALLED", {"lot": "L"})


def test_network_failures_are_503_never_500() -> None:
    down = EndorseConnectionError("connection refused", grpc_code=grpc.StatusCode.UNAVAILABLE)
    assert from_gateway_error(down).code == "NETWORK_UNAVAILABLE" and from_gateway_error(down).http_status == 503
    policy = EndorseError("no combination of peers can be derived which satisfy the endorsement policy")
    assert from_gateway_error(policy).http_status == 503
    assert from_gateway_error(ConnectionRefusedError("refused")).code == "NETWORK_UNAVAILABLE"
    assert from_gateway_error(CommitTimeoutError("late")).http_status == 504
    assert from_gateway_error(CommitError("tx1", 11)).code == "TX_INVALID"
    assert from_gateway_error(EndorseError("weird")).http_status == 502
    plain = from_gateway_error(endorse_error("Function Teleport not found in contract provenance"))
    assert plain.code == "INVALID_ARGUMENT" and plain.http_status == 400
    with pytest.raises(ValueError):
        from_gateway_error(ValueError("a bug is a bug"))


def test_service_error_shape() -> None:
    body = ServiceError("INVALID_ARGUMENT", "x: is required", field="x").to_dict()
    assert body == {
        "error": {
            "code": "INVALID_ARGUMENT",
            "message": "x: is required",
            "message_zh": "参数无效：x: is required",
            "key": None,
            "params": {},
            "field": "x",
            "source": "service",
        }
    }
    assert ServiceError("INVALID_ARGUMENT", "x").http_status == 422  # service-side validation


def _block(number: int, tx_id: str, event: str | None = None, payload: dict | None = None) -> ParsedBlock:
    tx = ParsedTransaction(
        index=0,
        transaction_id=tx_id,
        channel_id="provenance",
        type=3,
        validation_code=0,
        creator_msp_id="RetailerMSP",
        timestamp=dt.datetime.now(dt.UTC),
        chaincode_name="provenance",
        function_name="RecordTemperature",
        endorser_msp_ids=["RetailerMSP", "FarmMSP"],
        creator_name="guest-3f9a1c",
    )
    if event:
        tx.chaincode_events.append(
            ChaincodeEvent(number, tx_id, "provenance", event, json.dumps(payload or {}).encode())
        )
    return ParsedBlock(number=number, previous_hash=b"\x01", data_hash=b"\x02", transactions=[tx], raw=None)


async def _no_network():  # the follower is fed by hand here
    raise ConnectionError("not used")


async def test_follower_indexes_broadcasts_and_alerts() -> None:
    follower = BlockFollower(_no_network, recent=2)
    queue = follower.subscribe()
    waiter = asyncio.create_task(follower.wait_for("tx-2", timeout=2))
    await asyncio.sleep(0)
    follower.ingest(_block(1, "tx-1"))
    follower.ingest(_block(2, "tx-2", "TemperatureAlert", {"lotId": "L", "celsius": 9}))
    follower.ingest(_block(3, "tx-3"))
    proof = await waiter
    assert proof == follower.proof("tx-2") and proof["blockNumber"] == 2
    assert proof["endorsers"] == ["RetailerMSP", "FarmMSP"] and proof["validation"] == "VALID"
    assert proof["signer"] == "guest-3f9a1c"  # who signed, as the lot page shows it
    assert [b["number"] for b in follower.recent_blocks()] == [3, 2]  # bounded, newest first
    messages = [queue.get_nowait() for _ in range(queue.qsize())]
    assert [m["type"] for m in messages] == ["block", "block", "alert", "block"]
    assert messages[2]["alert"]["lotId"] == "L" and follower.recent_alerts()[0]["txId"] == "tx-2"
    assert follower.status()["height"] == 4 and await follower.wait_for("tx-none", timeout=0.01) is None
    follower.unsubscribe(queue)


def test_old_alerts_are_not_news() -> None:
    follower = BlockFollower(_no_network)
    block = _block(5, "tx-old", "LotRecalled", {"lotId": "L", "lotIds": ["L"]})
    block.transactions[0].timestamp = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    queue = follower.subscribe()
    summary = follower.ingest(block)
    assert alerts_of(summary)[0]["name"] == "LotRecalled"
    assert [queue.get_nowait()["type"] for _ in range(queue.qsize())] == ["block"]


async def test_follower_reconnects_after_errors() -> None:
    calls = 0

    async def failing():
        nonlocal calls
        calls += 1
        raise ConnectionError("peer down")

    follower = BlockFollower(failing, retry_delay=0.01)
    follower.start()
    await asyncio.sleep(0.1)
    await follower.stop()
    assert calls >= 3 and follower.reconnects >= 2 and follower.last_error == "peer down"
    assert not follower.connected


async def test_follower_reads_the_chain_height_after_a_reconnect() -> None:
    """After a reconnect the follower compares the chain's height with its own (a reset rewinds it):
    the answer of qscc GetChainInfo must decode, or the follower could never reconnect."""
    from fabric_protos.common import ledger_pb2

    from fabdemo.service.blocks import chain_height

    class Qscc:
        async def evaluate(self, name: str, *, arguments: list[str], timeout: float | None = None) -> bytes:
            assert (name, list(arguments)) == ("GetChainInfo", ["provenance"])
            return ledger_pb2.BlockchainInfo(height=42).SerializeToString()

    class Network:
        name = "provenance"

        def get_contract(self, chaincode: str) -> Qscc:
            assert chaincode == "qscc"
            return Qscc()

    assert await chain_height(Network()) == 42  # the follower, the catch-up wait and the console use it
