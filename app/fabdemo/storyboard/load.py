"""The storyboards' ``load`` control: a burst of submits, so the Performance page has something to show.

The submits go through the service layer (``LedgerService.perform``, the path of every UI action and
storyboard step), each with a lot id of its own so none conflict, ``in_flight`` at a time. The result
says how many committed and at what rate, and the scene can expect on it (``result.committed``).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any, Protocol

from fabdemo.service import ServiceError

MAX_COUNT = 2000
MAX_IN_FLIGHT = 64


class Performer(Protocol):
    def defaults(self, op_id: str, org_key: str | None, lot: dict[str, Any] | None = None) -> dict[str, Any]: ...

    async def perform(self, org_key: str | None, op_id: str, args: dict[str, Any] | None = None) -> dict[str, Any]: ...


def _int(args: dict[str, Any], name: str, default: int, top: int) -> int:
    value = args.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
        raise ServiceError("STORYBOARD", f"load: {name} must be a whole number from 1 to {top}, not {value!r}")
    return value


async def drive(ledger: Performer, org: str | None, args: dict[str, Any]) -> dict[str, Any]:
    """Run ``args.count`` submits of ``args.op`` (default harvest) with ``args.in_flight`` at a time.

    ``args.args`` are the operation's arguments over its form defaults; ``args.id_field`` (default
    lotId) gets ``<args.prefix>-<random>-<n>``, unique per submit.
    """
    op = args.get("op", "harvest")
    count = _int(args, "count", 100, MAX_COUNT)
    in_flight = _int(args, "in_flight", 8, MAX_IN_FLIGHT)
    id_field = args.get("id_field", "lotId")
    prefix = f"{args.get('prefix', 'LOAD')}-{secrets.token_hex(3).upper()}"
    base = {**ledger.defaults(op, org), **(args.get("args") or {})}
    committed = failed = 0
    first_error: str | None = None
    indexes = iter(range(count))

    async def worker() -> None:
        nonlocal committed, failed, first_error
        for n in indexes:
            try:
                await ledger.perform(org, op, {**base, id_field: f"{prefix}-{n}"})
                committed += 1
            except ServiceError as err:  # counted and reported: one refusal does not stop the burst
                failed += 1
                first_error = first_error or f"{err.code}: {err.message}"

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    seconds = time.perf_counter() - started
    return {
        "op": op,
        "count": count,
        "in_flight": in_flight,
        "committed": committed,
        "failed": failed,
        "seconds": round(seconds, 2),
        "tps": round(committed / seconds, 1) if seconds > 0 else None,
        "first_error": first_error,
    }
