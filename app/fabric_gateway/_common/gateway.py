"""What a gateway does without I/O: offline-signing reconstruction and resolving the connection arguments."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import grpc.aio
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import proposal_pb2

from fabric_gateway._common.client import Timeouts
from fabric_gateway._common.transaction import parse_prepared_transaction
from fabric_gateway.connection import ChannelCache, ChannelConfig, ChannelOption, client_certificate_hash
from fabric_gateway.hashing import HashFunction
from fabric_gateway.identity import Identity, SigningIdentity
from fabric_gateway.signer import Signer, SignFunction

if TYPE_CHECKING:
    from fabric_gateway._async.client import AsyncGatewayClient
    from fabric_gateway._sync.client import GatewayClient


class _GatewayBase:
    def __init__(
        self,
        client: GatewayClient | AsyncGatewayClient,
        signing_identity: SigningIdentity,
        channel_config: ChannelConfig | None,
        cache: ChannelCache,
    ) -> None:
        self._client = client
        self._signing_identity = signing_identity
        self._channel_config = channel_config  # None when the caller owns the channel
        self._cache = cache
        self._closed = False

    @property
    def identity(self) -> Identity:
        return self._signing_identity.identity

    @property
    def channel(self) -> grpc.Channel | grpc.aio.Channel:
        return self._client.channel

    @property
    def timeouts(self) -> Timeouts:
        return self._client.timeouts

    @property
    def closed(self) -> bool:
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("gateway is closed")

    # Offline signing: rebuild objects from their serialized form plus an externally made signature.

    def _proposal_parts(
        self, proposal_bytes: bytes, signature: bytes | None
    ) -> tuple[gateway_pb2.ProposedTransaction, str]:
        proposed = gateway_pb2.ProposedTransaction.FromString(proposal_bytes)
        if signature is not None:
            proposed.proposal.signature = signature
        header = common_pb2.Header.FromString(proposal_pb2.Proposal.FromString(proposed.proposal.proposal_bytes).header)
        channel = common_pb2.ChannelHeader.FromString(header.channel_header).channel_id
        return proposed, channel

    def _transaction_parts(
        self, transaction_bytes: bytes, signature: bytes | None
    ) -> tuple[gateway_pb2.PreparedTransaction, str, bytes]:
        prepared = gateway_pb2.PreparedTransaction.FromString(transaction_bytes)
        if signature is not None:
            prepared.envelope.signature = signature
        channel, result = parse_prepared_transaction(prepared.envelope)
        return prepared, channel, result

    def _commit_parts(
        self, commit_bytes: bytes, signature: bytes | None
    ) -> tuple[gateway_pb2.SignedCommitStatusRequest, str]:
        signed = gateway_pb2.SignedCommitStatusRequest.FromString(commit_bytes)
        if signature is not None:
            signed.signature = signature
        return signed, gateway_pb2.CommitStatusRequest.FromString(signed.request).transaction_id


def _prepare(
    endpoint: str | None,
    channel: object | None,
    identity: Identity,
    signer: Signer | SignFunction | None,
    hash_function: HashFunction,
    *,
    tls_root_cert_path: str | Path | None,
    tls_root_cert: bytes | None,
    server_name_override: str | None,
    tls_client_cert_path: str | Path | None,
    tls_client_key_path: str | Path | None,
    insecure: bool,
    grpc_options: Sequence[ChannelOption],
) -> tuple[SigningIdentity, ChannelConfig | None, bytes | None]:
    if (endpoint is None) == (channel is None):
        raise ValueError("pass exactly one of endpoint or channel")
    signing_identity = SigningIdentity(identity, signer, hash_function)
    config = None
    if endpoint is not None:
        config = ChannelConfig.create(
            endpoint,
            tls_root_cert=tls_root_cert,
            tls_root_cert_path=tls_root_cert_path,
            tls_client_cert_path=tls_client_cert_path,
            tls_client_key_path=tls_client_key_path,
            server_name_override=server_name_override,
            insecure=insecure,
            grpc_options=grpc_options,
        )
        tls_hash = config.tls_certificate_hash()
    else:
        tls_hash = client_certificate_hash(Path(tls_client_cert_path).read_bytes()) if tls_client_cert_path else None
    return signing_identity, config, tls_hash
