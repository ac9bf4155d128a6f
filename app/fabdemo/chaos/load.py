"""The load generator of ``make chaos``: harvests through the REST API at a fixed concurrency.

Every submit uses a lot id of its own, so the ledger can tell afterwards which answers were true: an
acknowledged lot must be there (else it is *lost*), a lot the caller was told failed must not be.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from fabric_gateway import AsyncContract, GatewayError

ACKNOWLEDGED, FAILED, UNKNOWN, UNANSWERED = "acknowledged", "failed", "unknown", "unanswered"
REQUEST_TIMEOUT = 90.0  # above the service's whole retry budget: the service answers, not the client
RECONNECT_SECONDS = 30.0  # how long a submit waits for an app that is being restarted
PRODUCT_ID = "PRD-CHAOS"  # defined once by :func:`define_product` before the first scenario


@dataclass
class Answer:
    """What one caller was told."""

    lot_id: str
    outcome: str
    seconds: float
    started: float  # seconds since the load began
    tx_id: str | None = None
    code: str | None = None
    message: str | None = None
    message_zh: str | None = None
    on_ledger: bool | None = None  # filled in by :func:`check_ledger`


@dataclass
class Target:
    """Where the app listens; a scenario that restarts the app points it at the new one."""

    url: str
    down: asyncio.Event = field(default_factory=asyncio.Event)  # set while no app listens


class Load:
    """``total`` harvests, ``concurrency`` at a time, into ``answers``. ``gate`` holds new submits back."""

    def __init__(self, target: Target, prefix: str, concurrency: int) -> None:
        self.target = target
        self.prefix = prefix
        self.concurrency = concurrency
        self.answers: list[Answer] = []
        self.issued = 0
        self.gate = asyncio.Event()
        self.gate.set()
        self._began = time.monotonic()

    async def run(self, total: int) -> None:
        self._began = time.monotonic()
        end = self.issued + total
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT) as client:

            async def worker() -> None:
                while self.issued < end:
                    await self.gate.wait()
                    if self.issued >= end:
                        return
                    self.issued += 1
                    self.answers.append(await self.harvest(client, f"{self.prefix}-{self.issued:05d}"))

            await asyncio.gather(*(worker() for _ in range(self.concurrency)))

    async def until_issued(self, count: int) -> None:
        while self.issued < count:
            await asyncio.sleep(0.02)

    async def harvest(self, client: httpx.AsyncClient, lot_id: str) -> Answer:
        args = {"lotId": lot_id, "productId": PRODUCT_ID, "quantity": 10, "unit": "kg", "farmName": "Chaos Farm"}
        body = {"org": "farm", "args": {**args, "harvestDate": dt.date.today().isoformat()}}
        started = time.monotonic()
        since = started - self._began
        deadline = started + RECONNECT_SECONDS
        while True:
            try:
                response = await client.post(f"{self.target.url}/api/operations/harvest", json=body)
                break
            except httpx.ConnectError:
                # Never reached an app (it is being restarted): nothing was submitted, so sending the
                # same request again is safe.
                if time.monotonic() > deadline:
                    return Answer(lot_id, UNANSWERED, time.monotonic() - started, since, message="no app")
                await asyncio.sleep(0.1)
            except httpx.TransportError as err:
                # Sent, then the connection died: the caller does not know. Not counted as success or failure.
                return Answer(lot_id, UNANSWERED, time.monotonic() - started, since, message=repr(err))
        seconds = time.monotonic() - started
        data: dict[str, Any] = response.json() if response.content else {}
        if response.status_code == 200:
            return Answer(lot_id, ACKNOWLEDGED, seconds, since, tx_id=(data.get("proof") or {}).get("txId"))
        error = data.get("error") or {}
        outcome = UNKNOWN if error.get("code") == "COMMIT_TIMEOUT" else FAILED
        return Answer(
            lot_id,
            outcome,
            seconds,
            since,
            tx_id=(error.get("params") or {}).get("txId"),
            code=error.get("code") or str(response.status_code),
            message=error.get("message"),
            message_zh=error.get("message_zh"),
        )


async def check_ledger(contract: AsyncContract, answers: Iterable[Answer], concurrency: int = 16) -> None:
    """Ask the ledger (GetLot on the farm's peer) for every lot and record whether it is there."""
    limit = asyncio.Semaphore(concurrency)

    async def check(answer: Answer) -> None:
        async with limit:
            for attempt in range(5):
                try:
                    await contract.evaluate("GetLot", arguments=[answer.lot_id])
                    answer.on_ledger = True
                    return
                except GatewayError as err:
                    if err.chaincode_code == "NOT_FOUND":
                        answer.on_ledger = False
                        return
                    await asyncio.sleep(0.2 * (attempt + 1))  # the peer is still catching up
            raise RuntimeError(f"could not read {answer.lot_id} from the ledger")

    await asyncio.gather(*(check(a) for a in answers))


def tally(answers: list[Answer], quorum: bool) -> dict[str, Any]:
    """The figures of one scenario. The success ratio is over the submits the service answered."""
    counts = {kind: sum(a.outcome == kind for a in answers) for kind in (ACKNOWLEDGED, FAILED, UNKNOWN, UNANSWERED)}
    answered = counts[ACKNOWLEDGED] + counts[FAILED] + counts[UNKNOWN]
    latencies = sorted(a.seconds for a in answers if a.outcome == ACKNOWLEDGED)
    errors: dict[str, int] = {}
    for a in answers:
        if a.outcome in (FAILED, UNKNOWN):
            errors[a.code or "?"] = errors.get(a.code or "?", 0) + 1
    sample = next((a for a in answers if a.outcome == FAILED), None)
    return {
        "submits": len(answers),
        **counts,
        "lost": sum(a.outcome == ACKNOWLEDGED and a.on_ledger is False for a in answers),
        "failed_but_on_ledger": sum(a.outcome == FAILED and a.on_ledger is True for a in answers),
        "unknown_on_ledger": sum(a.outcome == UNKNOWN and a.on_ledger is True for a in answers),
        "unanswered_on_ledger": sum(a.outcome == UNANSWERED and a.on_ledger is True for a in answers),
        "success_ratio": round(counts[ACKNOWLEDGED] / answered, 4) if answered else None,
        "quorum_remains": quorum,
        "errors": errors,
        "error_sample": {"message": sample.message, "message_zh": sample.message_zh} if sample else None,
        "p50_s": round(latencies[len(latencies) // 2], 3) if latencies else None,
        "max_s": round(latencies[-1], 3) if latencies else None,
    }


def define_product(url: str) -> None:
    """The product every harvest of the load names, defined through the same API."""
    args = {"productId": PRODUCT_ID, "name": "Chaos lettuce", "minTempC": 1, "maxTempC": 4}
    response = httpx.post(f"{url}/api/operations/define_product", json={"org": "farm", "args": args}, timeout=60)
    response.raise_for_status()
