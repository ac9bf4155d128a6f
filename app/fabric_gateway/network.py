"""Networks: a channel as seen through the gateway, giving contracts and event streams."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_protos.common import common_pb2

from fabric_gateway.blockparser import ParsedBlock, ParsedFilteredBlock
from fabric_gateway.contract import AsyncContract, Contract
from fabric_gateway.errors import Operation
from fabric_gateway.events import (
    AsyncEventStream,
    ChaincodeEvent,
    EventStream,
    blocks_from,
    build_block_events_request,
    build_chaincode_events_request,
    chaincode_events_from,
    filtered_blocks_from,
    raw_blocks_from,
)

if TYPE_CHECKING:
    from fabric_gateway.checkpoint import Checkpoint
    from fabric_gateway.client import AsyncGatewayClient, GatewayClient
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


class Network(_NetworkBase):
    """A channel (blocking API)."""

    __slots__ = ()
    _client: GatewayClient

    def get_contract(self, chaincode_name: str, contract_name: str | None = None) -> Contract:
        return Contract(self._client, self._signing_identity, self._name, chaincode_name, contract_name)

    def get_chaincode_events(
        self,
        chaincode_name: str,
        *,
        start_block: int | None = None,
        checkpointer: Checkpoint | None = None,
        timeout: float | None = None,
    ) -> EventStream[ChaincodeEvent]:
        """Stream the events of successfully committed transactions of a chaincode.

        Resumes from ``checkpointer`` when it holds a position (skipping events of transactions up to and
        including its transaction ID in its block), else from ``start_block``, else from the next commit.
        """
        request = build_chaincode_events_request(
            self._signing_identity,
            self._name,
            chaincode_name,
            start_block=start_block,
            checkpoint=checkpointer,
        )
        call = self._client.chaincode_events(request, timeout)
        return EventStream(call, chaincode_events_from, Operation.CHAINCODE_EVENTS)

    def get_block_events(
        self,
        *,
        start_block: int | None = None,
        checkpointer: Checkpoint | None = None,
        timeout: float | None = None,
    ) -> EventStream[ParsedBlock]:
        """Stream full blocks, decoded by :func:`~fabric_gateway.blockparser.parse_block`."""
        call = self._client.block_events(self._block_request(start_block, checkpointer), timeout)
        return EventStream(call, blocks_from, Operation.BLOCK_EVENTS)

    def get_raw_block_events(
        self,
        *,
        start_block: int | None = None,
        checkpointer: Checkpoint | None = None,
        timeout: float | None = None,
    ) -> EventStream[common_pb2.Block]:
        """Stream full blocks as ``common.Block`` protobuf messages."""
        call = self._client.block_events(self._block_request(start_block, checkpointer), timeout)
        return EventStream(call, raw_blocks_from, Operation.BLOCK_EVENTS)

    def get_filtered_block_events(
        self,
        *,
        start_block: int | None = None,
        checkpointer: Checkpoint | None = None,
        timeout: float | None = None,
    ) -> EventStream[ParsedFilteredBlock]:
        """Stream filtered blocks: transaction IDs, validation codes and chaincode event names only."""
        call = self._client.filtered_block_events(self._block_request(start_block, checkpointer), timeout)
        return EventStream(call, filtered_blocks_from, Operation.BLOCK_EVENTS)


class AsyncNetwork(_NetworkBase):
    """A channel (asyncio API). Event methods return async iterators: ``async for ev in ...``."""

    __slots__ = ()
    _client: AsyncGatewayClient

    def get_contract(self, chaincode_name: str, contract_name: str | None = None) -> AsyncContract:
        return AsyncContract(self._client, self._signing_identity, self._name, chaincode_name, contract_name)

    def get_chaincode_events(
        self,
        chaincode_name: str,
        *,
        start_block: int | None = None,
        checkpointer: Checkpoint | None = None,
        timeout: float | None = None,
    ) -> AsyncEventStream[ChaincodeEvent]:
        request = build_chaincode_events_request(
            self._signing_identity,
            self._name,
            chaincode_name,
            start_block=start_block,
            checkpoint=checkpointer,
        )
        call = self._client.chaincode_events(request, timeout)
        return AsyncEventStream(call, chaincode_events_from, Operation.CHAINCODE_EVENTS)

    def get_block_events(
        self,
        *,
        start_block: int | None = None,
        checkpointer: Checkpoint | None = None,
        timeout: float | None = None,
    ) -> AsyncEventStream[ParsedBlock]:
        call = self._client.block_events(self._block_request(start_block, checkpointer), timeout)
        return AsyncEventStream(call, blocks_from, Operation.BLOCK_EVENTS)

    def get_raw_block_events(
        self,
        *,
        start_block: int | None = None,
        checkpointer: Checkpoint | None = None,
        timeout: float | None = None,
    ) -> AsyncEventStream[common_pb2.Block]:
        call = self._client.block_events(self._block_request(start_block, checkpointer), timeout)
        return AsyncEventStream(call, raw_blocks_from, Operation.BLOCK_EVENTS)

    def get_filtered_block_events(
        self,
        *,
        start_block: int | None = None,
        checkpointer: Checkpoint | None = None,
        timeout: float | None = None,
    ) -> AsyncEventStream[ParsedFilteredBlock]:
        call = self._client.filtered_block_events(self._block_request(start_block, checkpointer), timeout)
        return AsyncEventStream(call, filtered_blocks_from, Operation.BLOCK_EVENTS)
