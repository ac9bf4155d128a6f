"""Event listening without the I/O: start positions, the signed requests, and decoding the responses.

Both are long-running server streams. The event streams (:mod:`fabric_gateway._async.events`) are context
managers; closing one cancels the stream. A listener resumes from a
:class:`~fabric_gateway.checkpoint.Checkpoint` (block number and last processed transaction ID) or from an
explicit ``start_block``; with neither, it receives only events from blocks committed after it started.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import grpc
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.orderer import ab_pb2
from fabric_protos.peer import events_pb2
from google.protobuf import timestamp_pb2

from fabric_gateway.errors import GatewayError, Operation, from_rpc_error

if TYPE_CHECKING:
    from fabric_gateway.checkpoint import Checkpoint
    from fabric_gateway.identity import SigningIdentity

T = TypeVar("T")

MAX_BLOCK_NUMBER = 2**64 - 1


@dataclass(frozen=True)
class ChaincodeEvent:
    """An event emitted by a chaincode transaction that committed successfully."""

    block_number: int
    transaction_id: str
    chaincode_name: str
    event_name: str
    payload: bytes


def start_position(start_block: int | None, checkpoint: Checkpoint | None) -> tuple[ab_pb2.SeekPosition, str]:
    """Resolve where a listener starts: the checkpoint if it holds a position, else ``start_block``, else
    the next block to commit. Returns the seek position and the transaction ID to resume after."""
    if checkpoint is not None and checkpoint.block_number is not None:
        specified = ab_pb2.SeekSpecified(number=checkpoint.block_number)
        return ab_pb2.SeekPosition(specified=specified), checkpoint.transaction_id or ""
    if start_block is not None:
        if start_block < 0:
            raise ValueError("start_block must not be negative")
        return ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=start_block)), ""
    return ab_pb2.SeekPosition(next_commit=ab_pb2.SeekNextCommit()), ""


def build_chaincode_events_request(
    signing_identity: SigningIdentity,
    channel_name: str,
    chaincode_name: str,
    *,
    start_block: int | None = None,
    checkpoint: Checkpoint | None = None,
) -> gateway_pb2.SignedChaincodeEventsRequest:
    position, after_transaction_id = start_position(start_block, checkpoint)
    request = gateway_pb2.ChaincodeEventsRequest(
        channel_id=channel_name,
        chaincode_id=chaincode_name,
        identity=signing_identity.creator,
        start_position=position,
        after_transaction_id=after_transaction_id,
    )
    request_bytes = request.SerializeToString()
    return gateway_pb2.SignedChaincodeEventsRequest(
        request=request_bytes, signature=signing_identity.sign_message(request_bytes)
    )


def build_block_events_request(
    signing_identity: SigningIdentity,
    channel_name: str,
    *,
    start_block: int | None = None,
    checkpoint: Checkpoint | None = None,
    tls_cert_hash: bytes | None = None,
) -> common_pb2.Envelope:
    """Signed ``DELIVER_SEEK_INFO`` envelope asking the peer for every block from the start position on."""
    position, _ = start_position(start_block, checkpoint)
    timestamp = timestamp_pb2.Timestamp()
    timestamp.GetCurrentTime()
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.HeaderType.DELIVER_SEEK_INFO,
        channel_id=channel_name,
        timestamp=timestamp,
        epoch=0,
        tls_cert_hash=tls_cert_hash or b"",
    )
    signature_header = common_pb2.SignatureHeader(creator=signing_identity.creator, nonce=os.urandom(24))
    seek_info = ab_pb2.SeekInfo(
        start=position,
        stop=ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=MAX_BLOCK_NUMBER)),
        behavior=ab_pb2.SeekInfo.SeekBehavior.BLOCK_UNTIL_READY,
    )
    payload = common_pb2.Payload(
        header=common_pb2.Header(
            channel_header=channel_header.SerializeToString(),
            signature_header=signature_header.SerializeToString(),
        ),
        data=seek_info.SerializeToString(),
    ).SerializeToString()
    return common_pb2.Envelope(payload=payload, signature=signing_identity.sign_message(payload))


def chaincode_events_from(response: gateway_pb2.ChaincodeEventsResponse) -> list[ChaincodeEvent]:
    return [
        ChaincodeEvent(
            block_number=response.block_number,
            transaction_id=event.tx_id,
            chaincode_name=event.chaincode_id,
            event_name=event.event_name,
            payload=event.payload,
        )
        for event in response.events
    ]


class DeliverStatusError(GatewayError):
    """The peer's deliver service ended the stream with a non-success status (e.g. FORBIDDEN)."""


def _deliver_payload(response: events_pb2.DeliverResponse, field: str) -> list[Any]:
    """The block carried by a deliver response; a final SUCCESS status carries none."""
    kind = response.WhichOneof("Type")
    if kind == field:
        return [getattr(response, field)]
    if kind == "status":
        if response.status == common_pb2.Status.SUCCESS:
            return []
        name = common_pb2.Status.Name(response.status)
        raise DeliverStatusError(f"deliver service returned status {name}", operation=Operation.BLOCK_EVENTS)
    raise GatewayError(f"unexpected deliver response: {kind}", operation=Operation.BLOCK_EVENTS)


def blocks_from(response: events_pb2.DeliverResponse) -> list[Any]:
    from fabric_gateway.blockparser import parse_block

    return [parse_block(block) for block in _deliver_payload(response, "block")]


def filtered_blocks_from(response: events_pb2.DeliverResponse) -> list[Any]:
    from fabric_gateway.blockparser import parse_filtered_block

    return [parse_filtered_block(block) for block in _deliver_payload(response, "filtered_block")]


def raw_blocks_from(response: events_pb2.DeliverResponse) -> list[common_pb2.Block]:
    return _deliver_payload(response, "block")


class _EventStreamBase(Generic[T]):
    def __init__(self, call: Any, transform: Callable[[Any], Iterable[T]], operation: Operation) -> None:
        self._call = call
        self._transform = transform
        self._operation = operation
        self._pending: deque[T] = deque()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Stop listening: cancels the underlying gRPC stream."""
        if not self._closed:
            self._closed = True
            self._call.cancel()

    def _error(self, error: grpc.RpcError) -> GatewayError | None:
        if self._closed and error.code() == grpc.StatusCode.CANCELLED:  # type: ignore[attr-defined]
            return None
        self._closed = True
        return from_rpc_error(error, self._operation)
