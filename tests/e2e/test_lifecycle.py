"""`up`, `up` again, `status --json`, `down` through the real CLI, on a network of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fabdemo.network.health import port_in_use
from fabdemo.network.topology import load_topology
from fabdemo.settings import REPO_ROOT

pytestmark = pytest.mark.e2e

PORT_OFFSET = 11500
STATE = Path(__file__).resolve().parents[1] / "artifacts" / "lifecycle-state"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FABDEMO_STATE_DIR": str(STATE), "FABDEMO_PORT_OFFSET": str(PORT_OFFSET)}
    return subprocess.run(
        [sys.executable, "-m", "fabdemo.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _alive(pid: int) -> bool:
    """True for a live process; an exited one waiting to be reaped by init (zombie) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


@pytest.fixture
def clean_network():
    _cli("down")
    yield
    _cli("down")  # also when an assertion failed half way


def test_up_twice_status_and_down_leave_nothing_behind(clean_network) -> None:
    first = _cli("up")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Network started" in first.stdout

    second = _cli("up")
    assert second.returncode == 0 and "already up" in second.stdout

    status = _cli("status", "--json")
    data = json.loads(status.stdout)
    assert data["bootstrapped"] is True and data["chaincode"]["sequence"] == 1
    pids = [n["pid"] for n in data["nodes"]]
    assert len(pids) == 9 and all(pids)
    assert all(n["healthy"] for n in data["nodes"])

    down = _cli("down")
    assert down.returncode == 0, down.stderr
    assert not STATE.exists()
    assert not [pid for pid in pids if _alive(pid)]
    topology = load_topology(REPO_ROOT / "network" / "topology.yaml", PORT_OFFSET)
    assert not [p for p in topology.all_ports() if port_in_use(p)]

    after = _cli("status")
    assert "down" in after.stdout
