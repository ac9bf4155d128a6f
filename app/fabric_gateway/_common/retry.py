"""The backoff between retries of a submit that lost an MVCC race (:mod:`fabric_gateway.retry`)."""

from __future__ import annotations

import random
from collections.abc import Callable

Backoff = float | Callable[[int], float]


def backoff_delay(backoff: Backoff, attempt: int, *, jitter: bool = True) -> float:
    """Delay before retry number ``attempt`` (1-based): ``backoff * 2**(attempt-1)``, jittered to 50-100%
    so that clients that conflicted with each other do not retry in lockstep; or ``backoff(attempt)``."""
    if callable(backoff):
        return max(0.0, backoff(attempt))
    delay = backoff * (2 ** (attempt - 1))
    return delay * random.uniform(0.5, 1.0) if jitter else delay
