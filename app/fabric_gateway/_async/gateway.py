"""Gateway connections: :func:`connect_async` and the :class:`AsyncGateway` it returns."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import grpc.aio

from fabric_gateway._async.client import AsyncGatewayClient
from fabric_gateway._async.commit import AsyncSubmittedTransaction
from fabric_gateway._async.network import AsyncNetwork
from fabric_gateway._async.proposal import AsyncProposal
from fabric_gateway._async.transaction import AsyncTransaction
from fabric_gateway._common.client import Timeouts
from fabric_gateway._common.gateway import _GatewayBase, _prepare
from fabric_gateway.connection import ChannelCache, ChannelOption, channel_cache
from fabric_gateway.hashing import HashFunction, sha256
from fabric_gateway.identity import Identity
from fabric_gateway.signer import Signer, SignFunction


class AsyncGateway(_GatewayBase):
    """A connection to a Fabric Gateway peer. Close it, or use it as a context manager."""

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
        """Release the connection; the gRPC channel is closed once no gateway uses it any more."""
        if self._closed:
            return
        self._closed = True
        if self._channel_config is not None:
            await self._cache.release_async(self._channel_config)

    async def __aenter__(self) -> AsyncGateway:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


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
    """Connect to a Fabric Gateway peer.

    Give either ``endpoint`` (``host:port``, ``grpcs://host:port`` or ``grpc://host:port``; TLS unless
    ``insecure`` or ``grpc://``) or an existing ``channel`` (a ``grpc.aio.Channel``) which the gateway then
    uses but never closes. Channels opened from an endpoint are shared by gateways with the same endpoint and
    TLS settings. ``signer`` may be omitted when every request is signed offline.
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
    grpc_channel = cache.acquire_async(config) if config is not None else channel
    return AsyncGateway(AsyncGatewayClient(grpc_channel, timeouts, tls_hash), signing_identity, config, cache)
