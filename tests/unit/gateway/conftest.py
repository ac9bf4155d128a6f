from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from gw_fakes import FakeGateway, FakeServer, write_msp_dir

from fabric_gateway import load_msp_identity


@pytest.fixture
def msp_dir(tmp_path: Path) -> Path:
    return write_msp_dir(tmp_path / "user")


@pytest.fixture
def credentials(msp_dir: Path):
    return load_msp_identity(msp_dir, "Org1MSP")


@pytest.fixture
def fake() -> FakeGateway:
    servicer = FakeGateway()
    servicer.handlers["Echo"] = lambda inv: b",".join(inv.args)
    servicer.handlers["Transient"] = lambda inv: inv.transient.get("price", b"")
    return servicer


@pytest.fixture
def server(fake: FakeGateway):
    with FakeServer(fake) as srv:
        yield srv
