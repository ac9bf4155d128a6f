"""Webhooks: every contract event the block follower reads, POSTed to the configured endpoints, so an ERP
can follow the ledger.

- Signed: ``X-Fabdemo-Signature: sha256=<HMAC-SHA256 of the exact body with the shared secret>``
  (the GitHub convention), with ``X-Fabdemo-Delivery`` (a stable id: ``{txId}:{index}``, the receiver's
  key for dropping duplicates) and ``X-Fabdemo-Event`` (the contract event's name).
- At least once: each endpoint gets the events in ledger order, one at a time; a failure (no answer, or
  not 2xx) is retried with exponential backoff (0.5 s, 1 s, 2 s, ... up to ``max_attempts``). The last
  block delivered to every endpoint is checkpointed in the state folder, so after a restart of the app
  the blocks after it are sent again (the follower re-reads the chain): nothing acknowledged by the
  ledger is skipped, a receiver may see a delivery twice. Without a checkpoint, delivery starts with
  the blocks committed from now on (no flood of history on first start). An event that still fails
  after the last attempt is kept in ``dead`` (``GET /api/webhooks``) and the stream moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
from collections import deque
from pathlib import Path
from typing import Any

import httpx

log = logging.getLogger("fabdemo.webhooks")
SIGNATURE_HEADER = "x-fabdemo-signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliveries(block: dict[str, Any]) -> list[dict[str, Any]]:
    """The contract events of a block's valid transactions, as webhook payloads."""
    out = []
    for tx in block.get("transactions", []):
        for i, ev in enumerate(tx.get("events", [])):
            out.append({
                "id": f"{tx['txId']}:{i}",
                "event": ev["name"],
                "payload": ev["payload"],
                "txId": tx["txId"],
                "blockNumber": block["number"],
                "creator": tx.get("creator"),
                "timestamp": tx.get("timestamp"),
            })  # fmt: skip
    return out


class WebhookForwarder:
    def __init__(
        self,
        follower: Any,
        urls: list[str],
        secret: str,
        checkpoint: Path,
        *,
        max_attempts: int = 8,
        first_backoff: float = 0.5,
        timeout: float = 5.0,
    ) -> None:
        self.follower = follower
        self.urls = urls
        self.secret = secret
        self.checkpoint = checkpoint
        self.max_attempts = max_attempts
        self.first_backoff = first_backoff
        self.timeout = timeout
        self.delivered = 0
        self.retries = 0
        self.dead: deque[dict[str, Any]] = deque(maxlen=100)
        self._task: asyncio.Task[None] | None = None
        self._started = dt.datetime.now(dt.UTC)
        self._last_block = self._read_checkpoint()

    def _read_checkpoint(self) -> int | None:
        try:
            return int(json.loads(self.checkpoint.read_text())["block"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write_checkpoint(self, block: int) -> None:
        self._last_block = block
        with contextlib.suppress(OSError):
            self.checkpoint.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.checkpoint.with_suffix(".tmp")
            tmp.write_text(json.dumps({"block": block, "urls": self.urls}))
            tmp.replace(self.checkpoint)

    def start(self) -> None:
        if self.urls and self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _wanted(self, block: dict[str, Any]) -> bool:
        if self._last_block is not None:
            return block["number"] > self._last_block
        stamps = [tx["timestamp"] for tx in block.get("transactions", []) if tx.get("timestamp")]
        newest = max((dt.datetime.fromisoformat(s.replace("Z", "+00:00")) for s in stamps), default=self._started)
        return newest >= self._started - dt.timedelta(seconds=2)  # a transaction proposed just before start

    async def _run(self) -> None:
        queue = self.follower.subscribe(lossless=True)
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                while True:
                    message = await queue.get()
                    if message.get("type") != "block" or not self._wanted(message["block"]):
                        continue
                    block = message["block"]
                    for item in deliveries(block):
                        await asyncio.gather(*(self._deliver(client, url, item) for url in self.urls))
                    self._write_checkpoint(block["number"])
        finally:
            self.follower.unsubscribe(queue)

    async def _deliver(self, client: httpx.AsyncClient, url: str, item: dict[str, Any]) -> None:
        body = json.dumps(item, separators=(",", ":"), sort_keys=True).encode()
        headers = {
            "content-type": "application/json",
            SIGNATURE_HEADER: sign(self.secret, body),
            "x-fabdemo-delivery": item["id"],
            "x-fabdemo-event": item["event"],
        }
        backoff = self.first_backoff
        error = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = await client.post(url, content=body, headers={**headers, "x-fabdemo-attempt": str(attempt)})
                if 200 <= response.status_code < 300:
                    self.delivered += 1
                    return
                error = f"HTTP {response.status_code}"
            except httpx.HTTPError as err:
                error = f"{type(err).__name__}: {err}"
            if attempt < self.max_attempts:
                self.retries += 1
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
        log.warning("webhook %s gave up on %s after %d attempts: %s", url, item["id"], self.max_attempts, error)
        self.dead.append({"url": url, "delivery": item["id"], "event": item["event"], "error": error})

    def status(self) -> dict[str, Any]:
        return {
            "endpoints": self.urls,
            "delivered": self.delivered,
            "retries": self.retries,
            "lastBlock": self._last_block,
            "dead": list(self.dead),
        }
