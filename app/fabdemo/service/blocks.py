"""The block follower: one background task that reads every block of the channel and remembers what it saw.

It follows block events from block 0 with a checkpointer, so after a peer restart (or any stream error) it
reconnects and resumes at the next unseen block. Each block is decoded into plain dicts: transaction id,
function, creator org, endorsing orgs, validation code and chaincode events. They feed an in-memory index
(tx id -> proof), a bounded list of recent blocks, and every subscriber queue (the SSE stream). Alerts
(``TemperatureAlert``, ``LotRecalled``) from blocks committed after the follower started are broadcast too.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from fabric_protos.common import ledger_pb2

from fabric_gateway import AsyncNetwork, InMemoryCheckpointer, ParsedBlock

log = logging.getLogger("fabdemo.blocks")

ALERT_EVENTS = ("TemperatureAlert", "LotRecalled")
RECENT_BLOCKS = 50
SUBSCRIBER_QUEUE = 200


class Projection(Protocol):
    """A read model fed block by block (the lot index): ``ready`` once the follower has caught up."""

    ready: bool

    def apply(self, block: ParsedBlock) -> None: ...

    def reset(self) -> None: ...


def _decode_payload(payload: bytes) -> dict[str, Any]:
    try:
        value = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def block_summary(block: ParsedBlock) -> dict[str, Any]:
    """A JSON-ready view of a block: what the live ledger page shows."""
    transactions = []
    for tx in block.transactions:
        events = [
            {"name": ev.event_name, "payload": _decode_payload(ev.payload)} for ev in tx.chaincode_events if tx.valid
        ]
        transactions.append(
            {
                "txId": tx.transaction_id,
                "type": tx.type_name,
                "function": tx.function_name,
                "chaincode": tx.chaincode_name,
                "creator": tx.creator_msp_id,
                # who signed: "User1@farm.example.com" (cryptogen), "guest-3f9a1c" or "alice" (Fabric CA)
                "creatorName": tx.creator_name,
                "endorsers": list(tx.endorser_msp_ids),
                "validation": tx.validation_code_name,
                "valid": tx.valid,
                "timestamp": tx.timestamp.isoformat().replace("+00:00", "Z") if tx.timestamp else None,
                "events": events,
            }
        )
    return {
        "number": block.number,
        "dataHash": block.data_hash.hex(),
        "previousHash": block.previous_hash.hex(),
        "txCount": len(transactions),
        "transactions": transactions,
    }


def alerts_of(summary: dict[str, Any]) -> list[dict[str, Any]]:
    alerts = []
    for tx in summary["transactions"]:
        for ev in tx["events"]:
            if ev["name"] in ALERT_EVENTS:
                alerts.append(
                    {
                        "name": ev["name"],
                        "lotId": ev["payload"].get("lotId"),
                        "payload": ev["payload"],
                        "txId": tx["txId"],
                        "block": summary["number"],
                    }
                )
    return alerts


async def chain_height(network: AsyncNetwork, timeout: float | None = None) -> int:
    """The channel's height on the peer the gateway asks (qscc ``GetChainInfo``): blocks 0..height-1 exist."""
    raw = await network.get_contract("qscc").evaluate("GetChainInfo", arguments=[network.name], timeout=timeout)
    return ledger_pb2.BlockchainInfo.FromString(raw).height


def ledger_proof(
    tx_id: str,
    block_number: int,
    validation: str,
    *,
    valid: bool,
    endorsers: list[str] | None,
    creator: str,
    function: str,
    timestamp: str | None = None,
    signer: str | None = None,
) -> dict[str, Any]:
    """The ledger proof of a transaction, as every page and API answer shows it (the one place it is built).

    ``signer`` is the common name of the certificate that signed it: with Fabric CA identities a room
    guest's own enrollment name, so the lot page shows who did it, not only which org.
    """
    return {
        "txId": tx_id,
        "blockNumber": block_number,
        "validation": validation,
        "valid": valid,
        "endorsers": endorsers,
        "creator": creator,
        "function": function,
        "timestamp": timestamp,
        "signer": signer,
    }


class BlockFollower:
    """Follows the channel's blocks; ``network_factory`` opens the channel (called again on reconnect)."""

    def __init__(
        self,
        network_factory: Callable[[], Awaitable[AsyncNetwork]],
        *,
        recent: int = RECENT_BLOCKS,
        retry_delay: float = 1.0,
        projections: Sequence[Projection] = (),
    ) -> None:
        self._network_factory = network_factory
        self._projections = tuple(projections)
        self._checkpointer = InMemoryCheckpointer()
        self._index: dict[str, dict[str, Any]] = {}
        self._recent: deque[dict[str, Any]] = deque(maxlen=recent)
        self._recent_alerts: deque[dict[str, Any]] = deque(maxlen=20)
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._waiters: dict[str, list[asyncio.Future[dict[str, Any]]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._retry_delay = retry_delay
        self._started_at = dt.datetime.now(dt.UTC)
        self.connected = False
        self.height = 0  # next block number expected = blocks seen
        # The chain height found on (re)connecting: projections are complete once height reaches it.
        self.target_height: int | None = None
        self.last_error: str | None = None
        self.reconnects = 0

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="block-follower")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                network = await self._network_factory()
                found = await chain_height(network)
                if self.height and found < self.height:
                    self._forget()  # the ledger was rewound (make reset): read it again from block 0
                self.target_height = found
                self._mark_caught_up()
                start = 0 if self._checkpointer.block_number is None else None
                async with network.get_block_events(start_block=start, checkpointer=self._checkpointer) as blocks:
                    self.connected = True
                    self.last_error = None
                    async for block in blocks:
                        self.ingest(block)
                        self._checkpointer.checkpoint_block(block.number)
                self.last_error = "block stream ended"
            except asyncio.CancelledError:
                self.connected = False
                raise
            except Exception as err:  # the peer went away or refused: retry from the checkpoint
                self.last_error = str(err).splitlines()[0][:300] if str(err) else type(err).__name__
                log.warning("block follower: %s; reconnecting", self.last_error)
            self.connected = False
            self.reconnects += 1
            await asyncio.sleep(self._retry_delay)

    def _forget(self) -> None:
        self._checkpointer = InMemoryCheckpointer()
        self._index.clear()
        self._recent.clear()
        self._recent_alerts.clear()
        self.height = 0
        self.target_height = None
        for projection in self._projections:
            projection.reset()
        self._started_at = dt.datetime.now(dt.UTC)
        self._broadcast({"type": "rewound", "rewound": {"reason": "the ledger was reset to a snapshot"}})

    async def restart(self) -> None:
        """Start over from block 0 (after the network was rewound to a snapshot)."""
        await self.stop()
        self._forget()
        self.start()

    # -- ingest --------------------------------------------------------------------------------------
    def ingest(self, block: ParsedBlock) -> dict[str, Any]:
        # Projections first: a submit waiting for its proof below must find its writes there already.
        for projection in self._projections:
            projection.apply(block)
        summary = block_summary(block)
        for tx in summary["transactions"]:
            proof = ledger_proof(
                tx["txId"],
                summary["number"],
                tx["validation"],
                valid=tx["valid"],
                endorsers=tx["endorsers"],
                creator=tx["creator"],
                function=tx["function"],
                timestamp=tx["timestamp"],
                signer=tx["creatorName"],
            )
            self._index[tx["txId"]] = proof
            for future in self._waiters.pop(tx["txId"], []):
                if not future.done():
                    future.set_result(proof)
        self._recent.append(summary)
        self.height = max(self.height, summary["number"] + 1)
        self._mark_caught_up()
        self._broadcast({"type": "block", "block": summary})
        for alert in alerts_of(summary):
            if self._is_live(summary):
                self._recent_alerts.append(alert)
                self._broadcast({"type": "alert", "alert": alert})
        return summary

    @property
    def caught_up(self) -> bool:
        return self.target_height is not None and self.height >= self.target_height

    def _mark_caught_up(self) -> None:
        if self.caught_up:
            for projection in self._projections:
                projection.ready = True

    def _is_live(self, summary: dict[str, Any]) -> bool:
        """Alerts of old blocks replayed at start-up are history, not news."""
        stamps = [tx["timestamp"] for tx in summary["transactions"] if tx["timestamp"]]
        if not stamps:
            return True
        newest = max(dt.datetime.fromisoformat(s.replace("Z", "+00:00")) for s in stamps)
        return newest >= self._started_at - dt.timedelta(seconds=5)

    def _broadcast(self, message: dict[str, Any]) -> None:
        for queue in list(self._subscribers):
            with contextlib.suppress(asyncio.QueueFull):  # a slow client misses messages, nobody waits for it
                queue.put_nowait(message)

    # -- readers -------------------------------------------------------------------------------------
    def proof(self, tx_id: str) -> dict[str, Any] | None:
        return self._index.get(tx_id)

    async def wait_for(self, tx_id: str, timeout: float = 3.0) -> dict[str, Any] | None:
        """The proof of ``tx_id`` once its block has been read (None after ``timeout``)."""
        known = self._index.get(tx_id)
        if known is not None:
            return known
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(tx_id, []).append(future)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return None
        finally:
            waiters = self._waiters.get(tx_id)
            if waiters and future in waiters:
                waiters.remove(future)
                if not waiters:
                    del self._waiters[tx_id]

    def recent_blocks(self, limit: int = RECENT_BLOCKS) -> list[dict[str, Any]]:
        return list(self._recent)[-limit:][::-1]

    def recent_alerts(self) -> list[dict[str, Any]]:
        return list(self._recent_alerts)[::-1]

    def subscribe(self, *, lossless: bool = False) -> asyncio.Queue[dict[str, Any]]:
        """A queue of what the follower reads. A browser's stream is bounded (a slow client misses
        messages, nobody waits for it); ``lossless`` is for the app's own waiters (a storyboard waiting
        for the customer's transaction), which must never miss the block they wait for."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=0 if lossless else SUBSCRIBER_QUEUE)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers.discard(queue)

    def status(self) -> dict[str, Any]:
        return {
            "connected": self.connected,
            "height": self.height,
            "caughtUp": self.caught_up,
            "transactionsIndexed": len(self._index),
            "reconnects": self.reconnects,
            "lastError": self.last_error,
            "subscribers": len(self._subscribers),
        }
