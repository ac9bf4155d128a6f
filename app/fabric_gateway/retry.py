"""Retrying submits that lost an MVCC race.

A transaction invalidated with MVCC_READ_CONFLICT or PHANTOM_READ_CONFLICT read state that another
transaction changed before it committed; endorsing it again (a new proposal, new transaction ID) against
the current state usually succeeds. Nothing else is retried: other failures are not transient in that way,
and retrying an endorse or submit error could apply a transaction twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fabric_gateway.contract import AsyncContract, Contract
from fabric_gateway.errors import MvccConflictError
from fabric_gateway.proposal import Argument

T = TypeVar("T")
Backoff = float | Callable[[int], float]

_log = logging.getLogger(__name__)


def backoff_delay(backoff: Backoff, attempt: int, *, jitter: bool = True) -> float:
    """Delay before retry number ``attempt`` (1-based): ``backoff * 2**(attempt-1)``, jittered to 50-100%
    so that clients that conflicted with each other do not retry in lockstep; or ``backoff(attempt)``."""
    if callable(backoff):
        return max(0.0, backoff(attempt))
    delay = backoff * (2 ** (attempt - 1))
    return delay * random.uniform(0.5, 1.0) if jitter else delay


def submit_with_retry(
    contract: Contract,
    fn: str | Callable[..., T],
    *args: Argument | Any,
    attempts: int = 3,
    backoff: Backoff = 0.1,
    jitter: bool = True,
) -> bytes | T:
    """Call ``contract.submit_transaction(fn, *args)`` (or ``fn(contract, *args)`` if ``fn`` is callable),
    retrying up to ``attempts`` times in all while it raises :class:`MvccConflictError`."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(1, attempts + 1):
        try:
            if isinstance(fn, str):
                return contract.submit_transaction(fn, *args)
            return fn(contract, *args)
        except MvccConflictError as e:
            if attempt == attempts:
                raise
            delay = backoff_delay(backoff, attempt, jitter=jitter)
            _log.info("transaction %s hit %s, retry %d/%d in %.3fs", e.transaction_id, e.code_name, attempt,
                      attempts - 1, delay)  # fmt: skip
            time.sleep(delay)
    raise AssertionError("unreachable")


async def submit_with_retry_async(
    contract: AsyncContract,
    fn: str | Callable[..., Awaitable[T]],
    *args: Argument | Any,
    attempts: int = 3,
    backoff: Backoff = 0.1,
    jitter: bool = True,
) -> bytes | T:
    """asyncio twin of :func:`submit_with_retry`; ``fn`` may be a name or an async callable."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(1, attempts + 1):
        try:
            if isinstance(fn, str):
                return await contract.submit_transaction(fn, *args)
            return await fn(contract, *args)
        except MvccConflictError as e:
            if attempt == attempts:
                raise
            delay = backoff_delay(backoff, attempt, jitter=jitter)
            _log.info("transaction %s hit %s, retry %d/%d in %.3fs", e.transaction_id, e.code_name, attempt,
                      attempts - 1, delay)  # fmt: skip
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")
