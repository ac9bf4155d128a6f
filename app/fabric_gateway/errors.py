"""Typed errors raised by the gateway client.

gRPC failures reported by the Fabric Gateway carry a ``google.rpc.Status`` in the trailing metadata
(``grpc-status-details-bin``) whose details are ``gateway.ErrorDetail`` messages, one per peer or orderer
that failed. They are decoded into :class:`ErrorDetail` objects on the raised error.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import grpc
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import transaction_pb2
from google.rpc import status_pb2

STATUS_DETAILS_KEY = "grpc-status-details-bin"
_ERROR_DETAIL_TYPE = gateway_pb2.ErrorDetail.DESCRIPTOR.full_name


RpcStatus: Any = status_pb2.Status
"""``google.rpc.Status`` message class (code, message, details: repeated Any)."""


class Operation(enum.Enum):
    EVALUATE = "evaluate"
    ENDORSE = "endorse"
    SUBMIT = "submit"
    COMMIT_STATUS = "commit status"
    CHAINCODE_EVENTS = "chaincode events"
    BLOCK_EVENTS = "block events"


@dataclass(frozen=True)
class ErrorDetail:
    """Failure reported by one peer or orderer that the gateway contacted."""

    address: str
    msp_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.address} ({self.msp_id}): {self.message}"


_CHAINCODE_RESPONSE = re.compile(r"chaincode response (\d+), (.*)", re.DOTALL)
_CODED_MESSAGE = re.compile(r"([A-Z][A-Z0-9_]*[A-Z0-9]): (.*)", re.DOTALL)


@dataclass(frozen=True)
class ChaincodeErrorInfo:
    """A chaincode error found in a peer message: ``chaincode response 500, NOT_FOUND: lot LOT-9 ...``."""

    status: int | None
    code: str | None
    message: str


def parse_chaincode_error(text: str) -> ChaincodeErrorInfo | None:
    """Extract the chaincode's own error from a peer/gateway message, or ``None`` if there is none.

    The code is the upper-case ``CODE:`` prefix the chaincode put in front of its message, if any.
    """
    match = _CHAINCODE_RESPONSE.search(text)
    if match is None:
        return None
    status = int(match.group(1))
    body = match.group(2).strip()
    coded = _CODED_MESSAGE.match(body)
    if coded:
        return ChaincodeErrorInfo(status, coded.group(1), coded.group(2).strip())
    return ChaincodeErrorInfo(status, None, body)


class GatewayError(Exception):
    """Base class of every error raised by this client.

    ``grpc_code`` is the gRPC status code (``None`` where the failure did not come from a gRPC call),
    ``message`` the gRPC status message and ``details`` the per-peer failures reported by the gateway.
    """

    def __init__(
        self,
        message: str,
        *,
        grpc_code: grpc.StatusCode | None = None,
        details: Iterable[ErrorDetail] = (),
        transaction_id: str | None = None,
        operation: Operation | None = None,
    ) -> None:
        self.message = message
        self.operation = operation
        self.grpc_code = grpc_code
        self.details: list[ErrorDetail] = list(details)
        self.transaction_id = transaction_id
        super().__init__(message)

    def __str__(self) -> str:
        text = self.message
        if self.grpc_code is not None:
            text = f"{self.grpc_code.name}: {text}"
        if self.details:
            text += "".join(f"\n  - {detail}" for detail in self.details)
        return text

    @property
    def chaincode_error(self) -> ChaincodeErrorInfo | None:
        """The chaincode's error, looked for in the per-peer details first, then in the message."""
        for text in [*(d.message for d in self.details), self.message]:
            info = parse_chaincode_error(text)
            if info is not None:
                return info
        return None

    @property
    def chaincode_message(self) -> str | None:
        info = self.chaincode_error
        return info.message if info else None

    @property
    def chaincode_code(self) -> str | None:
        info = self.chaincode_error
        return info.code if info else None

    @property
    def chaincode_status(self) -> int | None:
        info = self.chaincode_error
        return info.status if info else None


class GatewayConnectionError(GatewayError, ConnectionError):
    """The gateway (or the peers behind it) could not be reached: gRPC ``UNAVAILABLE``."""


class EvaluateError(GatewayError):
    """Evaluating a transaction failed."""


class EndorseError(GatewayError):
    """Endorsing a transaction failed."""


class SubmitError(GatewayError):
    """Submitting an endorsed transaction to the orderer failed."""


class CommitStatusError(GatewayError):
    """Obtaining the commit status of a submitted transaction failed."""


class CommitTimeoutError(CommitStatusError, TimeoutError):
    """The transaction's commit status did not arrive before the deadline."""


class EvaluateConnectionError(EvaluateError, GatewayConnectionError):
    pass


class EndorseConnectionError(EndorseError, GatewayConnectionError):
    pass


class SubmitConnectionError(SubmitError, GatewayConnectionError):
    pass


class CommitStatusConnectionError(CommitStatusError, GatewayConnectionError):
    pass


class CommitError(GatewayError):
    """The transaction was committed to the ledger but marked invalid."""

    def __init__(self, transaction_id: str, code: int, block_number: int | None = None) -> None:
        self.code = code
        self.code_name = validation_code_name(code)
        self.block_number = block_number
        super().__init__(
            f"transaction {transaction_id} failed to commit with status code {code} ({self.code_name})",
            transaction_id=transaction_id,
        )


class MvccConflictError(CommitError):
    """The transaction was invalidated by a read conflict (MVCC_READ_CONFLICT or PHANTOM_READ_CONFLICT).

    Such a transaction may succeed when endorsed and submitted again.
    """


_MVCC_CODES = frozenset(
    {
        transaction_pb2.TxValidationCode.MVCC_READ_CONFLICT,
        transaction_pb2.TxValidationCode.PHANTOM_READ_CONFLICT,
    }
)


def validation_code_name(code: int) -> str:
    try:
        return transaction_pb2.TxValidationCode.Name(code)
    except ValueError:
        return f"UNKNOWN_{code}"


def new_commit_error(transaction_id: str, code: int, block_number: int | None = None) -> CommitError:
    cls = MvccConflictError if code in _MVCC_CODES else CommitError
    return cls(transaction_id, code, block_number)


_ERROR_CLASSES: dict[Operation, tuple[type[GatewayError], type[GatewayError]]] = {
    Operation.EVALUATE: (EvaluateError, EvaluateConnectionError),
    Operation.ENDORSE: (EndorseError, EndorseConnectionError),
    Operation.SUBMIT: (SubmitError, SubmitConnectionError),
    Operation.COMMIT_STATUS: (CommitStatusError, CommitStatusConnectionError),
    Operation.CHAINCODE_EVENTS: (GatewayError, GatewayConnectionError),
    Operation.BLOCK_EVENTS: (GatewayError, GatewayConnectionError),
}


def decode_error_details(status_bytes: bytes) -> list[ErrorDetail]:
    """Decode the ``gateway.ErrorDetail`` entries of a serialized ``google.rpc.Status``."""
    status = RpcStatus.FromString(status_bytes)
    results = []
    for detail in status.details:
        if detail.type_url.rsplit("/", 1)[-1] != _ERROR_DETAIL_TYPE:
            continue
        proto = gateway_pb2.ErrorDetail.FromString(detail.value)
        results.append(ErrorDetail(proto.address, proto.msp_id, proto.message))
    return results


def _details_from_metadata(metadata: Iterable[tuple[str, Any]] | None) -> list[ErrorDetail]:
    for key, value in metadata or ():
        if key == STATUS_DETAILS_KEY:
            try:
                return decode_error_details(value)
            except Exception:  # malformed details must not hide the original error
                return []
    return []


def from_rpc_error(error: grpc.RpcError, operation: Operation, transaction_id: str | None = None) -> GatewayError:
    """Translate a gRPC error (sync or asyncio) into the matching typed :class:`GatewayError`."""
    code: grpc.StatusCode | None = error.code() if hasattr(error, "code") else None  # type: ignore[attr-defined]
    message: str = (error.details() if hasattr(error, "details") else None) or str(error)  # type: ignore[attr-defined]
    metadata = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None  # type: ignore[attr-defined]
    details = _details_from_metadata(metadata)

    plain, unavailable = _ERROR_CLASSES[operation]
    if code == grpc.StatusCode.UNAVAILABLE:
        cls = unavailable
    elif operation is Operation.COMMIT_STATUS and code == grpc.StatusCode.DEADLINE_EXCEEDED:
        cls = CommitTimeoutError
    else:
        cls = plain
    return cls(message, grpc_code=code, details=details, transaction_id=transaction_id, operation=operation)
