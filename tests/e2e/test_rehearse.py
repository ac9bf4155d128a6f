"""`make rehearse` and `make reset` on a real network of their own (ports +11600).

Every storyboard must pass unattended (customer steps simulated through the same API), fit its time
budget, and afterwards the reset must bring back exactly the seeded state: same lots, same heights.
This network has cryptogen identities, so the architects' attribute scene (``only_on: ca``) is
reported as skipped, with its reason, and the rehearsal is still green (tests/e2e/test_ca.py runs it).
"""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from fabdemo import context
from fabdemo.network.nodes import NodeKind
from fabdemo.service.ledger import LedgerService
from fabdemo.storyboard.model import load_all
from fabdemo.storyboard.rehearse import SEEDED, ensure_seeded, rehearse_all, write_report
from tests.conftest import ARTIFACTS, e2e_settings

pytestmark = pytest.mark.e2e

# Overridable (as test_bft's) so two checkouts can rehearse at the same time.
REHEARSE_PORT_OFFSET = int(os.environ.get("FABDEMO_REHEARSE_TEST_PORT_OFFSET", "11600"))


@pytest.fixture(scope="module")
def rehearsal_network():
    suffix = "" if REHEARSE_PORT_OFFSET == 11600 else f"-{REHEARSE_PORT_OFFSET}"
    settings = e2e_settings(f"rehearse-state{suffix}", REHEARSE_PORT_OFFSET)
    network = context.open_network(settings)
    network.down(lambda _m: None)
    network.up(lambda _m: None)
    yield settings, network
    network.down(lambda _m: None)


def _heights(network) -> dict[str, int | None]:
    return {s.name: s.ledger_height for s in network.status() if s.kind in (NodeKind.PEER, NodeKind.ORDERER)}


async def _lot_ids(network) -> list[str]:
    async with LedgerService(network, follow_blocks=False) as ledger:
        return sorted(lot["lotId"] for lot in await ledger.query("retail", "list_lots"))


def test_every_storyboard_rehearses_and_reset_restores_the_seeded_state(rehearsal_network) -> None:
    settings, network = rehearsal_network
    assert asyncio.run(ensure_seeded(network, settings, print)) is True
    assert network.has_snapshot(SEEDED)
    seeded_heights = _heights(network)
    seeded_lots = asyncio.run(_lot_ids(network))
    assert {"STRAW-0412", "LETT-0405-A", "SPIN-0328", "TOM-0408"} <= set(seeded_lots)

    report = asyncio.run(rehearse_all(network, settings, print))
    path = write_report(report, ARTIFACTS / "rehearsals")
    print(json.dumps({s["id"]: s["passed"] for s in report["storyboards"]}), path)

    stories = {s.id for s in load_all(settings.repo_root / "demos")}
    assert {s["id"] for s in report["storyboards"]} == stories >= {"executives", "developers", "architects"}
    for story in report["storyboards"]:
        failed = [(sc["scene"], sc["actions"], sc["expectations"]) for sc in story["scenes"] if not sc["passed"]]
        assert story["passed"], failed
        assert story["within_budget"] and story["planned_minutes"] <= 30
        assert all(scene["elapsed_s"] >= 0 for scene in story["scenes"])
    print(f"reset after rehearsal: {report['reset_after_s']}s")
    scenes = {(s["id"], sc["scene"]): sc for s in report["storyboards"] for sc in s["scenes"]}
    attributes = scenes[("architects", "attributes")]  # for Fabric CA identities: skipped here, and said why
    assert report["identities"] == "cryptogen" and attributes["passed"] and attributes["actions"] == []
    assert attributes["skipped"] == {
        "en": "skipped: for Fabric CA identities only",
        "zh": "已跳过：仅适用于 Fabric CA 身份",
    }
    assert not any(sc["skipped"] for (_story, name), sc in scenes.items() if name != "attributes")

    # The rehearsal added lots, upgraded the contract and onboarded an org; the reset undid all of it.
    assert _heights(network) == seeded_heights
    assert asyncio.run(_lot_ids(network)) == seeded_lots
    assert network.state.joined_orgs == []
    assert network.state.chaincode["sequence"] == 1
