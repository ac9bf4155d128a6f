"""Event listening: chaincode events (Gateway ``ChaincodeEvents``) and block events (peer ``Deliver``).

Both are long-running server streams. The returned iterators are context managers; closing one cancels the
stream. A listener resumes from a :class:`~fabric_gateway.checkpoint.Checkpoint` (block number and last
processed transaction ID) or from an explicit ``start_block``; with neither, it receives only events from
blocks committed after it started.

Hand-written in ``_async/events.py`` (asyncio), generated into ``_sync/events.py`` by ``scripts/unasync.py``.
"""

from fabric_gateway._async.events import AsyncEventStream
from fabric_gateway._common.events import (
    MAX_BLOCK_NUMBER,
    ChaincodeEvent,
    DeliverStatusError,
    blocks_from,
    build_block_events_request,
    build_chaincode_events_request,
    chaincode_events_from,
    filtered_blocks_from,
    raw_blocks_from,
    start_position,
)
from fabric_gateway._sync.events import EventStream

__all__ = [
    "MAX_BLOCK_NUMBER",
    "AsyncEventStream",
    "ChaincodeEvent",
    "DeliverStatusError",
    "EventStream",
    "blocks_from",
    "build_block_events_request",
    "build_chaincode_events_request",
    "chaincode_events_from",
    "filtered_blocks_from",
    "raw_blocks_from",
    "start_position",
]
