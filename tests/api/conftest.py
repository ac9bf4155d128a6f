"""The web app, served in-process on a random 127.0.0.1 port, over the suite's one network object."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from fabdemo.api.app import create_app
from fabdemo.appserver import InProcessServer
from fabdemo.network.manager import FabricNetwork
from fabdemo.settings import Settings
from tests.conftest import E2E_PORT_OFFSET


def app_settings(network: FabricNetwork) -> Settings:
    return Settings(state_dir=network.layout.root, port_offset=E2E_PORT_OFFSET)


@pytest.fixture(scope="session")
def app_url(network: FabricNetwork) -> Iterator[str]:
    with InProcessServer(create_app(app_settings(network), network=network)) as server:
        yield server.url


@pytest.fixture(scope="session")
def api(app_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=app_url, timeout=30) as client:
        yield client
