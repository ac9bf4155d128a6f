"""`make rehearse` on the Compose runtime: every storyboard, including node failures through the Docker
SDK, the live contract upgrade (a new chaincode image) and a fourth org joining, then the reset.

Run by `make test-compose` (scripts/test-compose.sh) on a real Docker engine; skipped otherwise.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from fabdemo import context
from fabdemo.network.nodes import NodeKind
from fabdemo.settings import Settings
from fabdemo.storyboard.rehearse import ensure_seeded, rehearse_all

pytestmark = [
    pytest.mark.compose,
    pytest.mark.skipif(os.environ.get("FABDEMO_COMPOSE_TEST") != "1", reason="run by `make test-compose`"),
]

STATE = Path(__file__).resolve().parents[1] / "artifacts" / "compose-rehearse-state"
SETTINGS = Settings(state_dir=STATE, port_offset=12100, runtime="compose", compose_project="fabdemo-rehearse")


@pytest.fixture(scope="module")
def network():
    net = context.open_network(SETTINGS)
    net.down(lambda _m: None)
    net.up(print)
    yield net
    net.down(print)


def test_storyboards_rehearse_on_compose(network) -> None:
    asyncio.run(ensure_seeded(network, SETTINGS, print))
    seeded = {s.name: s.ledger_height for s in network.status() if s.kind in (NodeKind.PEER, NodeKind.ORDERER)}
    report = asyncio.run(rehearse_all(network, SETTINGS, print))
    for story in report["storyboards"]:
        failed = [(sc["scene"], sc["actions"], sc["expectations"]) for sc in story["scenes"] if not sc["passed"]]
        assert story["passed"], failed
    print(f"compose reset after rehearsal: {report['reset_after_s']}s")
    after = {s.name: s.ledger_height for s in network.status() if s.kind in (NodeKind.PEER, NodeKind.ORDERER)}
    assert after == seeded
