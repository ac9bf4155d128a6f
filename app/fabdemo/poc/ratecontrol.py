"""Caliper's rate controllers (fixed-rate, fixed-load, linear-rate), for the kit's own load generator.

Names and options are Caliper's (``rateControl: {type, opts}`` in a Caliper benchmark file), so a
criteria file reads the same to a team that knows Caliper, and ``make caliper`` can pass the block on.
A controller answers two questions for the generator (:mod:`fabdemo.poc.loadgen`): when may
transaction ``index`` be sent (seconds after the round began), and how many may be in flight at once.
Sending on a schedule computed from the index, not by sleeping a fixed gap after each send, keeps the
offered rate exact when the event loop is late for a moment: the next sends catch up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# An open-loop (rate) controller must still stop somewhere when the network falls behind: past this many
# unfinished transactions the generator waits, and the shortfall shows as Send Rate below the target.
OPEN_LOOP_IN_FLIGHT_CAP = 512


@dataclass(frozen=True)
class FixedRate:
    """``fixed-rate``: ``tps`` transactions per second, whatever the network's answer time."""

    tps: float
    max_in_flight: int = OPEN_LOOP_IN_FLIGHT_CAP

    def send_at(self, index: int, duration_s: float) -> float:
        return index / self.tps


@dataclass(frozen=True)
class FixedLoad:
    """``fixed-load``: keep ``transactionLoad`` transactions unfinished (closed loop): the network sets the pace."""

    transaction_load: int

    @property
    def max_in_flight(self) -> int:
        return self.transaction_load

    def send_at(self, index: int, duration_s: float) -> float:
        return 0.0  # as soon as a slot is free


@dataclass(frozen=True)
class LinearRate:
    """``linear-rate``: the rate moves in a straight line from ``startingTps`` to ``finishingTps`` over the round.

    Transaction ``index`` goes out at the time ``t`` where the sends so far, the integral of the rate
    ``r(t) = r0 + k t`` (``k = (r1 - r0) / duration``), reach ``index``: ``r0 t + k t^2 / 2 = index``.
    """

    starting_tps: float
    finishing_tps: float
    max_in_flight: int = OPEN_LOOP_IN_FLIGHT_CAP

    def send_at(self, index: int, duration_s: float) -> float:
        r0, k = self.starting_tps, (self.finishing_tps - self.starting_tps) / duration_s
        if abs(k) < 1e-12:
            return index / r0 if r0 > 0 else math.inf
        disc = r0 * r0 + 2 * k * index
        if disc < 0:  # a falling rate that never reaches this many sends
            return math.inf
        return (-r0 + math.sqrt(disc)) / k


RateController = FixedRate | FixedLoad | LinearRate


def from_caliper(kind: str, opts: dict[str, float]) -> RateController:
    """A controller from Caliper's ``type`` and ``opts`` (already checked by the criteria model)."""
    if kind == "fixed-rate":
        return FixedRate(float(opts["tps"]))
    if kind == "fixed-load":
        return FixedLoad(max(1, int(opts["transactionLoad"])))
    if kind == "linear-rate":
        return LinearRate(float(opts["startingTps"]), float(opts["finishingTps"]))
    raise ValueError(f"unknown rate controller {kind!r}")


def describe(controller: RateController) -> dict[str, object]:
    """The controller as Caliper would write it, for the report."""
    if isinstance(controller, FixedRate):
        return {"type": "fixed-rate", "opts": {"tps": controller.tps}}
    if isinstance(controller, FixedLoad):
        return {"type": "fixed-load", "opts": {"transactionLoad": controller.transaction_load}}
    return {
        "type": "linear-rate",
        "opts": {"startingTps": controller.starting_tps, "finishingTps": controller.finishing_tps},
    }
