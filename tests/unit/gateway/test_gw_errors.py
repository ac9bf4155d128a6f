from __future__ import annotations

import grpc
import pytest
from fabric_protos.gateway import gateway_pb2
from gw_fakes import rpc_status_bytes

from fabric_gateway import CommitError, MvccConflictError, parse_chaincode_error
from fabric_gateway.errors import (
    STATUS_DETAILS_KEY,
    CommitStatusError,
    CommitTimeoutError,
    EndorseError,
    ErrorDetail,
    EvaluateError,
    GatewayConnectionError,
    GatewayError,
    Operation,
    SubmitError,
    decode_error_details,
    from_rpc_error,
    new_commit_error,
)


class FakeRpcError(grpc.RpcError):
    def __init__(self, code, message, metadata=()):
        self._code, self._message, self._metadata = code, message, metadata

    def code(self):
        return self._code

    def details(self):
        return self._message

    def trailing_metadata(self):
        return self._metadata


DETAILS = [
    gateway_pb2.ErrorDetail(address="peer0.farm:7051", msp_id="FarmMSP", message="chaincode response 500, boom"),
    gateway_pb2.ErrorDetail(address="peer0.retail:11051", msp_id="RetailerMSP", message="timeout"),
]


def test_decode_error_details_from_status():
    data = rpc_status_bytes(grpc.StatusCode.ABORTED, "failed to endorse", DETAILS)
    assert decode_error_details(data) == [
        ErrorDetail("peer0.farm:7051", "FarmMSP", "chaincode response 500, boom"),
        ErrorDetail("peer0.retail:11051", "RetailerMSP", "timeout"),
    ]


def test_from_rpc_error_maps_operation_and_details():
    metadata = (("other", "x"), (STATUS_DETAILS_KEY, rpc_status_bytes(grpc.StatusCode.ABORTED, "m", DETAILS)))
    error = from_rpc_error(FakeRpcError(grpc.StatusCode.ABORTED, "failed", metadata), Operation.ENDORSE, "tx1")
    assert type(error) is EndorseError
    assert error.grpc_code == grpc.StatusCode.ABORTED
    assert error.message == "failed"
    assert error.transaction_id == "tx1"
    assert error.operation is Operation.ENDORSE
    assert [d.msp_id for d in error.details] == ["FarmMSP", "RetailerMSP"]
    assert error.chaincode_message == "boom" and error.chaincode_code is None and error.chaincode_status == 500
    text = str(error)
    assert text.startswith("ABORTED: failed") and "peer0.retail:11051 (RetailerMSP): timeout" in text


@pytest.mark.parametrize(
    ("operation", "code", "expected"),
    [
        (Operation.EVALUATE, grpc.StatusCode.UNKNOWN, EvaluateError),
        (Operation.SUBMIT, grpc.StatusCode.FAILED_PRECONDITION, SubmitError),
        (Operation.COMMIT_STATUS, grpc.StatusCode.NOT_FOUND, CommitStatusError),
        (Operation.COMMIT_STATUS, grpc.StatusCode.DEADLINE_EXCEEDED, CommitTimeoutError),
        (Operation.CHAINCODE_EVENTS, grpc.StatusCode.PERMISSION_DENIED, GatewayError),
    ],
)
def test_error_classes(operation, code, expected):
    error = from_rpc_error(FakeRpcError(code, "x"), operation)
    assert type(error) is expected
    assert error.details == []


@pytest.mark.parametrize("operation", list(Operation))
def test_unavailable_is_connection_error_for_every_operation(operation):
    error = from_rpc_error(FakeRpcError(grpc.StatusCode.UNAVAILABLE, "down"), operation)
    assert isinstance(error, GatewayConnectionError)
    assert isinstance(error, ConnectionError)


def test_malformed_details_are_ignored():
    metadata = ((STATUS_DETAILS_KEY, b"\xff\xff\xff"),)
    error = from_rpc_error(FakeRpcError(grpc.StatusCode.ABORTED, "x", metadata), Operation.ENDORSE)
    assert error.details == []


def test_parse_chaincode_error():
    info = parse_chaincode_error("chaincode response 500, NOT_FOUND: lot LOT-1 does not exist")
    assert (info.status, info.code, info.message) == (500, "NOT_FOUND", "lot LOT-1 does not exist")
    info = parse_chaincode_error("evaluate call to endorser returned error: chaincode response 500, plain failure")
    assert (info.status, info.code, info.message) == (500, None, "plain failure")
    assert parse_chaincode_error("some transport failure") is None
    # Lower-case prefixes and URLs are not codes.
    assert parse_chaincode_error("chaincode response 500, error: bad").code is None


def test_commit_errors():
    error = new_commit_error("tx1", 11, 5)
    assert isinstance(error, MvccConflictError) and error.code_name == "MVCC_READ_CONFLICT"
    assert new_commit_error("tx1", 12).code_name == "PHANTOM_READ_CONFLICT"
    assert isinstance(new_commit_error("tx1", 12), MvccConflictError)
    plain = new_commit_error("tx1", 10)
    assert type(plain) is CommitError and "ENDORSEMENT_POLICY_FAILURE" in str(plain)
    assert plain.transaction_id == "tx1" and plain.grpc_code is None
    assert new_commit_error("tx", 200).code_name == "UNKNOWN_200"
