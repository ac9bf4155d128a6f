# Generated from app/fabric_gateway/_async/network.py by `python scripts/unasync.py` (`make fmt`): do not edit.
# Change the asyncio source and regenerate; `python scripts/unasync.py --check` (`make lint`) checks it.
"""Networks: a channel as seen through the gateway, giving contracts and event streams."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_protos.common import common_pb2

from fabric_gateway._common.events import (
    ChaincodeEvent,
    blocks_from,
    build_chaincode_events_request,
    chaincode_events_from,
    filtered_blocks_from,
    raw_blocks_from,
)
from fabric_gateway._common.network import _NetworkBase
from fabric_gateway._sync.contract import Contract
from fabric_gateway._sync.events import EventStream
from fabric_gateway.blockparser import ParsedBlock, ParsedFilteredBlock
from fabric_gateway.errors import Operation

if TYPE_CHECKING:
    from fabric_gateway._sync.client import GatewayClient
    from fabric_gateway.checkpoint import Checkpoint


class Network(_NetworkBase):
    """A channel. Its event streams are iterators and context managers; closing one cancels the stream."""

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
