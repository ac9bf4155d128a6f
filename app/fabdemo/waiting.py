"""The one way the kit waits for something: poll a check until it holds or a deadline passes.

Every "wait until the node is healthy / the leader is elected / the app answers" goes through here, so
timeouts read the same everywhere and name what was awaited.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any


def wait_until(check: Callable[[], Any], timeout: float, interval: float = 0.05, what: str = "condition") -> Any:
    """Poll ``check()`` until it returns something truthy, and return that; raise TimeoutError naming
    ``what`` otherwise. An exception raised by ``check`` ends the wait at once."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


async def wait_until_async(
    check: Callable[[], Awaitable[Any]], timeout: float, interval: float = 0.05, what: str = "condition"
) -> Any:
    """The asyncio form of :func:`wait_until`: ``check`` is awaited."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(interval)
