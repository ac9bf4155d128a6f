"""Commit status: the ``CommitStatus`` request, :class:`Status`, and the state of a submitted transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import transaction_pb2

from fabric_gateway.errors import new_commit_error, validation_code_name

if TYPE_CHECKING:
    from fabric_gateway._async.client import AsyncGatewayClient
    from fabric_gateway._sync.client import GatewayClient
    from fabric_gateway.identity import SigningIdentity


@dataclass(frozen=True)
class Status:
    """Outcome of a committed transaction."""

    code: int
    """The ``protos.TxValidationCode`` value."""
    transaction_id: str
    block_number: int

    @property
    def successful(self) -> bool:
        return self.code == transaction_pb2.TxValidationCode.VALID

    @property
    def code_name(self) -> str:
        return validation_code_name(self.code)


def build_commit_status_request(
    signing_identity: SigningIdentity, channel_name: str, transaction_id: str
) -> gateway_pb2.SignedCommitStatusRequest:
    """Build the (unsigned) ``SignedCommitStatusRequest`` for a transaction."""
    request = gateway_pb2.CommitStatusRequest(
        transaction_id=transaction_id, channel_id=channel_name, identity=signing_identity.creator
    )
    return gateway_pb2.SignedCommitStatusRequest(request=request.SerializeToString())


def check_status(status: Status) -> Status:
    """Return the status if the transaction is valid, else raise :class:`CommitError` (or a subclass)."""
    if not status.successful:
        raise new_commit_error(status.transaction_id, status.code, status.block_number)
    return status


class _CommitBase:
    __slots__ = ("_client", "_result", "_signed_request", "_signing_identity", "_transaction_id")

    def __init__(
        self,
        client: GatewayClient | AsyncGatewayClient,
        signing_identity: SigningIdentity,
        transaction_id: str,
        signed_request: gateway_pb2.SignedCommitStatusRequest,
        result: bytes = b"",
    ) -> None:
        self._client = client
        self._signing_identity = signing_identity
        self._transaction_id = transaction_id
        self._signed_request = signed_request
        self._result = result

    @property
    def transaction_id(self) -> str:
        return self._transaction_id

    @property
    def result(self) -> bytes:
        """The chaincode response payload from the endorsement."""
        return self._result

    @property
    def digest(self) -> bytes:
        return self._signing_identity.hash(self._signed_request.request)

    def to_bytes(self) -> bytes:
        """Serialized ``gateway.SignedCommitStatusRequest``."""
        return self._signed_request.SerializeToString()

    def _request(self) -> gateway_pb2.SignedCommitStatusRequest:
        if not self._signed_request.signature:
            self._signed_request.signature = self._signing_identity.sign_message(self._signed_request.request)
        return self._signed_request

    def _status(self, response: gateway_pb2.CommitStatusResponse) -> Status:
        return Status(code=response.result, transaction_id=self._transaction_id, block_number=response.block_number)
