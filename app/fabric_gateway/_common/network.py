"""What a network (a channel) knows without talking to a peer: its name and the block events request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_protos.common import common_pb2

from fabric_gateway._common.events import build_block_events_request

if TYPE_CHECKING:
    from fabric_gateway._async.client import AsyncGatewayClient
    from fabric_gateway._sync.client import GatewayClient
    from fabric_gateway.checkpoint import Checkpoint
    from fabric_gateway.identity import SigningIdentity


class _NetworkBase:
    __slots__ = ("_client", "_name", "_signing_identity")

    def __init__(
        self, client: GatewayClient | AsyncGatewayClient, signing_identity: SigningIdentity, name: str
    ) -> None:
        self._client = client
        self._signing_identity = signing_identity
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def _block_request(self, start_block: int | None, checkpointer: Checkpoint | None) -> common_pb2.Envelope:
        return build_block_events_request(
            self._signing_identity,
            self._name,
            start_block=start_block,
            checkpoint=checkpointer,
            tls_cert_hash=self._client.tls_cert_hash,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._name})"
