"""The live reefer control: readings batched on a clock, the breaching batch reported."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from fabdemo.service import ServiceError
from fabdemo.storyboard.reefer import stream, temperature_at


class FakeLedger:
    """Quarantines the lot as the contract does once a batch holds a reading above 4 °C."""

    def __init__(self) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.status = "IN_TRANSIT"

    async def perform(self, org_key: str | None, op_id: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        assert op_id == "temperatures_batch" and args is not None
        readings = json.loads(args["readingsJSON"])
        self.batches.append(readings)
        if any(r["celsius"] > 4 for r in readings):
            self.status = "QUARANTINED"
        return {"result": {"status": self.status}, "proof": {"txId": f"tx{len(self.batches)}"}}


def test_readings_are_batched_and_the_breaching_batch_is_reported() -> None:
    ledger = FakeLedger()
    args = {"lotId": "L-1", "seconds": 8, "batch_every": 2, "celsius": 2.6, "breach_at": 5, "rise_per_s": 2.5}
    outcome = asyncio.run(stream(ledger, "processor", {**args, "interval_s": 0.05}))
    assert [len(b) for b in ledger.batches] == [2, 2, 2, 2]
    assert outcome["proof"]["txId"] == "tx3"  # seconds 4 and 5: the first batch above the band
    assert outcome["result"]["status"] == "QUARANTINED"
    assert outcome["reefer"]["breach_second"] == 5
    assert outcome["reefer"]["batches"] == 4


def test_a_stream_without_a_breach_reports_its_last_batch() -> None:
    ledger = FakeLedger()
    outcome = asyncio.run(
        stream(ledger, "processor", {"lotId": "L-1", "seconds": 3, "batch_every": 2, "interval_s": 0.05})
    )
    assert [len(b) for b in ledger.batches] == [2, 1]  # the last, partial batch is sent too
    assert outcome["reefer"]["quarantined"] is False
    assert outcome["proof"]["txId"] == "tx2"


def test_the_temperature_holds_then_climbs() -> None:
    steady = [temperature_at(s, 2.5, 10, 1.5) for s in range(10)]
    assert all(2.2 <= t <= 2.8 for t in steady)
    assert temperature_at(12, 2.5, 10, 1.5) > 6


@pytest.mark.parametrize("bad", [{"seconds": 0}, {"batch_every": 101}, {"celsius": "cold"}, {"lotId": ""}])
def test_bad_arguments_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ServiceError):
        asyncio.run(stream(FakeLedger(), "processor", {"lotId": "L-1", **bad}))
