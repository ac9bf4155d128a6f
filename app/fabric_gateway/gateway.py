"""Gateway connections: :func:`connect` (blocking) and :func:`connect_async` (asyncio)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import grpc
import grpc.aio
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import proposal_pb2

from fabric_gateway.client import AsyncGatewayClient, GatewayClient, Timeouts
from fabric_gateway.commit import AsyncSubmittedTransaction, SubmittedTransaction
from fabric_gateway.connection import (
    ChannelCache,
    ChannelConfig,
    ChannelOption,
    channel_cache,
    client_certificate_hash,
)
from fabric_gateway.hashing import HashFunction, sha256
from fabric_gateway.identity import Identity, SigningIdentity
from fabric_gateway.network import AsyncNetwork, Network
from fabric_gateway.proposal import AsyncProposal, Proposal
from fabric_gateway.signer import Signer, SignFunction
from fabric_gateway.transaction import AsyncTransaction, Transaction, parse_prepared_transaction


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


class Gateway(_GatewayBase):
    """A connection to a Fabric Gateway peer (blocking API). Close it, or use it as a context manager."""

    _client: GatewayClient

    def get_network(self, channel_name: str) -> Network:
        self._check_open()
        return Network(self._client, self._signing_identity, channel_name)

    def new_signed_proposal(self, proposal_bytes: bytes, signature: bytes | None = None) -> Proposal:
        proposed, channel = self._proposal_parts(proposal_bytes, signature)
        return Proposal(self._client, self._signing_identity, channel, proposed)

    def new_signed_transaction(self, transaction_bytes: bytes, signature: bytes | None = None) -> Transaction:
        prepared, channel, result = self._transaction_parts(transaction_bytes, signature)
        return Transaction(self._client, self._signing_identity, prepared, channel, result)

    def new_signed_commit(self, commit_bytes: bytes, signature: bytes | None = None) -> SubmittedTransaction:
        signed, transaction_id = self._commit_parts(commit_bytes, signature)
        return SubmittedTransaction(self._client, self._signing_identity, transaction_id, signed)

    def close(self) -> None:
        """Release the connection; the gRPC channel is closed once no gateway uses it any more."""
        if self._closed:
            return
        self._closed = True
        if self._channel_config is not None:
            self._cache.release_sync(self._channel_config)

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncGateway(_GatewayBase):
    """A connection to a Fabric Gateway peer (asyncio API). ``await close()`` or ``async with``."""

    _client: AsyncGatewayClient

    def get_network(self, channel_name: str) -> AsyncNetwork:
        self._check_open()
        return AsyncNetwork(self._client, self._signing_identity, channel_name)

    def new_signed_proposal(self, proposal_bytes: bytes, signature: bytes | None = None) -> AsyncProposal:
        proposed, channel = self._proposal_parts(proposal_bytes, signature)
        return AsyncProposal(self._client, self._signing_identity, channel, proposed)

    def new_signed_transaction(self, transaction_bytes: bytes, signature: bytes | None = None) -> AsyncTransaction:
        prepared, channel, result = self._transaction_parts(transaction_bytes, signature)
        return AsyncTransaction(self._client, self._signing_identity, prepared, channel, result)

    def new_signed_commit(self, commit_bytes: bytes, signature: bytes | None = None) -> AsyncSubmittedTransaction:
        signed, transaction_id = self._commit_parts(commit_bytes, signature)
        return AsyncSubmittedTransaction(self._client, self._signing_identity, transaction_id, signed)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._channel_config is not None:
            await self._cache.release_async(self._channel_config)

    async def __aenter__(self) -> AsyncGateway:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


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


def connect(
    endpoint: str | None = None,
    *,
    identity: Identity,
    signer: Signer | SignFunction | None = None,
    hash_function: HashFunction = sha256,
    channel: grpc.Channel | None = None,
    tls_root_cert_path: str | Path | None = None,
    tls_root_cert: bytes | None = None,
    server_name_override: str | None = None,
    tls_client_cert_path: str | Path | None = None,
    tls_client_key_path: str | Path | None = None,
    insecure: bool = False,
    grpc_options: Sequence[ChannelOption] = (),
    evaluate_timeout: float | None = 5.0,
    endorse_timeout: float | None = 15.0,
    submit_timeout: float | None = 5.0,
    commit_status_timeout: float | None = 60.0,
    chaincode_events_timeout: float | None = None,
    block_events_timeout: float | None = None,
    cache: ChannelCache = channel_cache,
) -> Gateway:
    """Connect to a Fabric Gateway peer.

    Give either ``endpoint`` (``host:port``, ``grpcs://host:port`` or ``grpc://host:port``; TLS unless
    ``insecure`` or ``grpc://``) or an existing ``channel`` which the gateway then uses but never closes.
    Channels opened from an endpoint are shared by gateways with the same endpoint and TLS settings.
    ``signer`` may be omitted when every request is signed offline.
    """
    timeouts = Timeouts(
        evaluate_timeout,
        endorse_timeout,
        submit_timeout,
        commit_status_timeout,
        chaincode_events_timeout,
        block_events_timeout,
    )
    signing_identity, config, tls_hash = _prepare(
        endpoint,
        channel,
        identity,
        signer,
        hash_function,
        tls_root_cert_path=tls_root_cert_path,
        tls_root_cert=tls_root_cert,
        server_name_override=server_name_override,
        tls_client_cert_path=tls_client_cert_path,
        tls_client_key_path=tls_client_key_path,
        insecure=insecure,
        grpc_options=grpc_options,
    )
    grpc_channel = cache.acquire_sync(config) if config is not None else channel
    return Gateway(GatewayClient(grpc_channel, timeouts, tls_hash), signing_identity, config, cache)


async def connect_async(
    endpoint: str | None = None,
    *,
    identity: Identity,
    signer: Signer | SignFunction | None = None,
    hash_function: HashFunction = sha256,
    channel: grpc.aio.Channel | None = None,
    tls_root_cert_path: str | Path | None = None,
    tls_root_cert: bytes | None = None,
    server_name_override: str | None = None,
    tls_client_cert_path: str | Path | None = None,
    tls_client_key_path: str | Path | None = None,
    insecure: bool = False,
    grpc_options: Sequence[ChannelOption] = (),
    evaluate_timeout: float | None = 5.0,
    endorse_timeout: float | None = 15.0,
    submit_timeout: float | None = 5.0,
    commit_status_timeout: float | None = 60.0,
    chaincode_events_timeout: float | None = None,
    block_events_timeout: float | None = None,
    cache: ChannelCache = channel_cache,
) -> AsyncGateway:
    """asyncio twin of :func:`connect` (same arguments; ``channel`` must be a ``grpc.aio.Channel``)."""
    timeouts = Timeouts(
        evaluate_timeout,
        endorse_timeout,
        submit_timeout,
        commit_status_timeout,
        chaincode_events_timeout,
        block_events_timeout,
    )
    signing_identity, config, tls_hash = _prepare(
        endpoint,
        channel,
        identity,
        signer,
        hash_function,
        tls_root_cert_path=tls_root_cert_path,
        tls_root_cert=tls_root_cert,
        server_name_override=server_name_override,
        tls_client_cert_path=tls_client_cert_path,
        tls_client_key_path=tls_client_key_path,
        insecure=insecure,
        grpc_options=grpc_options,
    )
    grpc_channel = cache.acquire_async(config) if config is not None else channel
    return AsyncGateway(AsyncGatewayClient(grpc_channel, timeouts, tls_hash), signing_identity, config, cache)
