"""Endorsed transactions: reading the gateway's prepared envelope, signing it and the ``Submit`` request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import proposal_pb2, proposal_response_pb2, transaction_pb2

from fabric_gateway._common.commit import build_commit_status_request

if TYPE_CHECKING:
    from fabric_gateway._async.client import AsyncGatewayClient
    from fabric_gateway._sync.client import GatewayClient
    from fabric_gateway.identity import SigningIdentity


def parse_prepared_transaction(envelope: common_pb2.Envelope) -> tuple[str, bytes]:
    """Return ``(channel name, chaincode result)`` from a prepared transaction envelope.

    The result is the ``response.payload`` of the chaincode action endorsed by the peers.
    """
    payload = common_pb2.Payload.FromString(envelope.payload)
    channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    transaction = transaction_pb2.Transaction.FromString(payload.data)
    for action in transaction.actions:
        action_payload = transaction_pb2.ChaincodeActionPayload.FromString(action.payload)
        response_payload = proposal_response_pb2.ProposalResponsePayload.FromString(
            action_payload.action.proposal_response_payload
        )
        chaincode_action = proposal_pb2.ChaincodeAction.FromString(response_payload.extension)
        return channel_header.channel_id, chaincode_action.response.payload
    raise ValueError("prepared transaction holds no chaincode action")


class _TransactionBase:
    """State and protocol logic shared by :class:`Transaction` and :class:`AsyncTransaction`."""

    __slots__ = ("_channel_name", "_client", "_prepared", "_result", "_signing_identity")

    def __init__(
        self,
        client: GatewayClient | AsyncGatewayClient,
        signing_identity: SigningIdentity,
        prepared: gateway_pb2.PreparedTransaction,
        channel_name: str,
        result: bytes,
    ) -> None:
        self._client = client
        self._signing_identity = signing_identity
        self._prepared = prepared
        self._channel_name = channel_name
        self._result = result

    @property
    def transaction_id(self) -> str:
        return self._prepared.transaction_id

    @property
    def result(self) -> bytes:
        """The chaincode response payload from the endorsement."""
        return self._result

    @property
    def envelope(self) -> common_pb2.Envelope:
        return self._prepared.envelope

    @property
    def digest(self) -> bytes:
        return self._signing_identity.hash(self._prepared.envelope.payload)

    def to_bytes(self) -> bytes:
        """Serialized ``gateway.PreparedTransaction``."""
        return self._prepared.SerializeToString()

    def _sign(self) -> None:
        envelope = self._prepared.envelope
        if not envelope.signature:
            envelope.signature = self._signing_identity.sign_message(envelope.payload)

    def _submit_request(self) -> gateway_pb2.SubmitRequest:
        self._sign()
        return gateway_pb2.SubmitRequest(
            transaction_id=self._prepared.transaction_id,
            channel_id=self._channel_name,
            prepared_transaction=self._prepared.envelope,
        )

    def _commit_status_request(self) -> gateway_pb2.SignedCommitStatusRequest:
        return build_commit_status_request(self._signing_identity, self._channel_name, self.transaction_id)
