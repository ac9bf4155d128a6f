"""The storyboards' ``reefer`` control: a live refrigerated truck whose sensor gateway streams readings.

A reefer's sensor takes a reading every second; its gateway sends them in batches (one
``RecordTemperatures`` transaction every ``batch_every`` seconds, through ``LedgerService.perform``,
the path of every UI action). The cooling unit fails at ``breach_at`` seconds: from then on the
temperature climbs by ``rise_per_s``, the first batch holding a reading outside the product's band
quarantines the lot, and its ``TemperatureAlert`` reaches every screen while the room watches.

The result is the breaching batch's record (its proof, so a scene can expect the event) with the
stream's figures under ``reefer``: readings sent, batches committed, the second of the breach.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Protocol

from fabdemo.service import ServiceError

MAX_SECONDS = 120
MAX_BATCH = 100  # the contract's limit per RecordTemperatures


class Performer(Protocol):
    async def perform(self, org_key: str | None, op_id: str, args: dict[str, Any] | None = None) -> dict[str, Any]: ...


def _number(args: dict[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = args.get(name, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
        raise ServiceError("STORYBOARD", f"reefer: {name} must be a number from {low} to {high}, not {value!r}")
    return float(value)


def temperature_at(second: int, celsius: float, breach_at: float, rise_per_s: float) -> float:
    """The cold-room temperature the sensor reads at ``second``: steady with a small wobble, then climbing."""
    wobble = (0.1, -0.1, 0.2, 0.0, -0.2)[second % 5]  # a real sensor is never perfectly flat
    climb = max(0.0, second - breach_at + 1) * rise_per_s
    return round(celsius + wobble + climb, 1)


async def stream(ledger: Performer, org: str | None, args: dict[str, Any]) -> dict[str, Any]:
    lot_id = args.get("lotId")
    if not isinstance(lot_id, str) or not lot_id:
        raise ServiceError("STORYBOARD", "reefer: args.lotId names the lot on the truck")
    seconds = int(_number(args, "seconds", 12, 1, MAX_SECONDS))
    batch_every = int(_number(args, "batch_every", 2, 1, MAX_BATCH))
    celsius = _number(args, "celsius", 2.5, -60, 60)
    breach_at = _number(args, "breach_at", seconds + 1, 0, MAX_SECONDS + 1)
    rise_per_s = _number(args, "rise_per_s", 1.5, 0, 20)
    location = str(args.get("location") or "Reefer")
    interval = _number(args, "interval_s", 1.0, 0.05, 10)  # rehearsals may run the clock faster

    pending: list[dict[str, Any]] = []
    batches: list[dict[str, Any]] = []
    breach_record: dict[str, Any] | None = None
    breach_second: int | None = None
    started = time.monotonic()
    for second in range(seconds):
        # one reading per tick, on the wall clock: a slow batch does not slow the sensor down
        await asyncio.sleep(max(0.0, started + second * interval - time.monotonic()))
        pending.append({"celsius": temperature_at(second, celsius, breach_at, rise_per_s), "location": location})
        if len(pending) < batch_every and second < seconds - 1:
            continue
        record = await ledger.perform(org, "temperatures_batch", {"lotId": lot_id, "readingsJSON": json.dumps(pending)})
        batches.append(record)
        result = record.get("result") or {}
        if breach_record is None and result.get("status") == "QUARANTINED":
            breach_record, breach_second = record, second
        pending = []
    final = breach_record or batches[-1]
    return {
        **final,
        "reefer": {
            "readings": seconds,
            "batches": len(batches),
            "batch_every": batch_every,
            "breach_second": breach_second,
            "quarantined": breach_record is not None,
            "seconds": round(time.monotonic() - started, 2),
            "tx_ids": [(b.get("proof") or {}).get("txId") for b in batches],
        },
    }
