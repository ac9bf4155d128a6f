"""Transaction proposals: building and signing the ``SignedProposal`` and the evaluate / endorse requests."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2
from google.protobuf import timestamp_pb2

if TYPE_CHECKING:
    from fabric_gateway._async.client import AsyncGatewayClient
    from fabric_gateway._sync.client import GatewayClient
    from fabric_gateway.identity import SigningIdentity

Argument = str | bytes | bytearray | memoryview
NONCE_LENGTH = 24


def to_bytes(value: Argument) -> bytes:
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"transaction arguments must be str or bytes, not {type(value).__name__}")


def new_nonce() -> bytes:
    return os.urandom(NONCE_LENGTH)


def transaction_id_for(nonce: bytes, creator: bytes) -> str:
    """Fabric transaction ID: hex SHA-256 of the nonce followed by the serialized creator identity."""
    return hashlib.sha256(nonce + creator).hexdigest()


def build_proposed_transaction(
    signing_identity: SigningIdentity,
    channel_name: str,
    chaincode_name: str,
    transaction_name: str,
    arguments: Iterable[Argument] = (),
    transient_data: Mapping[str, Argument] | None = None,
    endorsing_organizations: Iterable[str] | None = None,
    *,
    nonce: bytes | None = None,
    timestamp: timestamp_pb2.Timestamp | None = None,
) -> gateway_pb2.ProposedTransaction:
    """Build the unsigned ``gateway.ProposedTransaction`` for a chaincode invocation."""
    creator = signing_identity.creator
    nonce = new_nonce() if nonce is None else nonce
    transaction_id = transaction_id_for(nonce, creator)
    if timestamp is None:
        timestamp = timestamp_pb2.Timestamp()
        timestamp.GetCurrentTime()

    chaincode_id = chaincode_pb2.ChaincodeID(name=chaincode_name)
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.HeaderType.ENDORSER_TRANSACTION,
        channel_id=channel_name,
        tx_id=transaction_id,
        timestamp=timestamp,
        epoch=0,
        extension=proposal_pb2.ChaincodeHeaderExtension(chaincode_id=chaincode_id).SerializeToString(),
    )
    signature_header = common_pb2.SignatureHeader(creator=creator, nonce=nonce)
    header = common_pb2.Header(
        channel_header=channel_header.SerializeToString(),
        signature_header=signature_header.SerializeToString(),
    )
    invocation_spec = chaincode_pb2.ChaincodeInvocationSpec(
        chaincode_spec=chaincode_pb2.ChaincodeSpec(
            chaincode_id=chaincode_id,
            input=chaincode_pb2.ChaincodeInput(
                args=[transaction_name.encode(), *(to_bytes(a) for a in arguments)],
            ),
        )
    )
    payload = proposal_pb2.ChaincodeProposalPayload(
        input=invocation_spec.SerializeToString(),
        TransientMap={k: to_bytes(v) for k, v in (transient_data or {}).items()},
    )
    proposal = proposal_pb2.Proposal(header=header.SerializeToString(), payload=payload.SerializeToString())
    return gateway_pb2.ProposedTransaction(
        transaction_id=transaction_id,
        proposal=proposal_pb2.SignedProposal(proposal_bytes=proposal.SerializeToString()),
        endorsing_organizations=list(endorsing_organizations or ()),
    )


class _ProposalBase:
    """State and protocol logic shared by :class:`Proposal` and :class:`AsyncProposal`."""

    __slots__ = ("_channel_name", "_client", "_proposed", "_signing_identity")

    def __init__(
        self,
        client: GatewayClient | AsyncGatewayClient,
        signing_identity: SigningIdentity,
        channel_name: str,
        proposed: gateway_pb2.ProposedTransaction,
    ) -> None:
        self._client = client
        self._signing_identity = signing_identity
        self._channel_name = channel_name
        self._proposed = proposed

    @property
    def transaction_id(self) -> str:
        return self._proposed.transaction_id

    @property
    def channel_name(self) -> str:
        return self._channel_name

    @property
    def endorsing_organizations(self) -> list[str]:
        return list(self._proposed.endorsing_organizations)

    @property
    def signed_proposal(self) -> proposal_pb2.SignedProposal:
        return self._proposed.proposal

    @property
    def digest(self) -> bytes:
        """The digest to sign when signing offline."""
        return self._signing_identity.hash(self._proposed.proposal.proposal_bytes)

    def to_bytes(self) -> bytes:
        """Serialized ``gateway.ProposedTransaction``, e.g. to hand to an offline signer."""
        return self._proposed.SerializeToString()

    def _sign(self) -> None:
        signed = self._proposed.proposal
        if not signed.signature:
            signed.signature = self._signing_identity.sign_message(signed.proposal_bytes)

    def _evaluate_request(self) -> gateway_pb2.EvaluateRequest:
        self._sign()
        return gateway_pb2.EvaluateRequest(
            transaction_id=self._proposed.transaction_id,
            channel_id=self._channel_name,
            proposed_transaction=self._proposed.proposal,
            target_organizations=self._proposed.endorsing_organizations,
        )

    def _endorse_request(self) -> gateway_pb2.EndorseRequest:
        self._sign()
        return gateway_pb2.EndorseRequest(
            transaction_id=self._proposed.transaction_id,
            channel_id=self._channel_name,
            proposed_transaction=self._proposed.proposal,
            endorsing_organizations=self._proposed.endorsing_organizations,
        )

    def _prepared(self, response: gateway_pb2.EndorseResponse) -> gateway_pb2.PreparedTransaction:
        return gateway_pb2.PreparedTransaction(
            transaction_id=self._proposed.transaction_id, envelope=response.prepared_transaction
        )
