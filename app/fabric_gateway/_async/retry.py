"""Retrying submits that lost an MVCC race.

A transaction invalidated with MVCC_READ_CONFLICT or PHANTOM_READ_CONFLICT read state that another
transaction changed before it committed; endorsing it again (a new proposal, new transaction ID) against
the current state usually succeeds. Nothing else is retried: other failures are not transient in that way,
and retrying an endorse or submit error could apply a transaction twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fabric_gateway._async.contract import AsyncContract
from fabric_gateway._common.proposal import Argument
from fabric_gateway._common.retry import Backoff, backoff_delay
from fabric_gateway.errors import MvccConflictError

T = TypeVar("T")

_log = logging.getLogger("fabric_gateway.retry")


async def submit_with_retry_async(
    contract: AsyncContract,
    fn: str | Callable[..., Awaitable[T]],
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
                return await contract.submit_transaction(fn, *args)
            return await fn(contract, *args)
        except MvccConflictError as e:
            if attempt == attempts:
                raise
            delay = backoff_delay(backoff, attempt, jitter=jitter)
            _log.info(
                "transaction %s hit %s, retry %d/%d in %.3fs",
                e.transaction_id,
                e.code_name,
                attempt,
                attempts - 1,
                delay,
            )
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")
