"""Reading through one org's peer right after another org's peer committed a transaction.

A submit returns once the *submitting* org's peer has committed the block; the other peers commit the
same block a few milliseconds later (more on a busy 2-core machine). Tests that read across orgs wait
for that, as a real cross-org application would.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from fabric_gateway import GatewayError


def read_until(contract, function: str, *args: str, until: Callable[[Any], bool], timeout: float = 5.0) -> Any:
    """Evaluate ``function`` until ``until(result)`` holds; return the last result (or raise the last error)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = json.loads(contract.evaluate_transaction(function, *args))
            if until(value) or time.monotonic() > deadline:
                return value
        except GatewayError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)
