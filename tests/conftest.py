"""Shared fixtures: a real Fabric network that the suite starts once (when a test asks for it) and stops at the end.

It runs with its own state directory and a port offset, so a developer's network (default ports) can
stay up while the suite runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from fabdemo import context
from fabdemo.connections import connect_org
from fabdemo.network.manager import FabricNetwork
from fabdemo.settings import Settings

# Overridable so two checkouts can run their suites at the same time. Every test network keeps its
# ports below the kernel's ephemeral range (32768+): the other suites use offsets 11500-12100.
E2E_PORT_OFFSET = int(os.environ.get("FABDEMO_TEST_PORT_OFFSET", "10000"))
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
E2E_STATE = f"e2e-state-{E2E_PORT_OFFSET}"  # one folder per port offset: two suites never share a network


def e2e_settings(name: str, port_offset: int) -> Settings:
    return Settings(state_dir=ARTIFACTS / name, port_offset=port_offset)


@pytest.fixture(scope="session")
def e2e_env() -> dict[str, str]:
    """Environment for running the CLI as a subprocess against the suite's network."""
    return {
        **os.environ,
        "FABDEMO_STATE_DIR": str(ARTIFACTS / E2E_STATE),
        "FABDEMO_PORT_OFFSET": str(E2E_PORT_OFFSET),
    }


@pytest.fixture(scope="session")
def network() -> Iterator[FabricNetwork]:
    settings = e2e_settings(E2E_STATE, E2E_PORT_OFFSET)
    net = context.open_network(settings, progress=print)
    net.down(lambda _m: None)  # leftovers of an interrupted run
    net.up(print)
    yield net
    net.down(print)


@pytest.fixture(scope="session")
def gateways(network: FabricNetwork):
    """One open gateway per org key, each signing as that org's User1."""
    opened = {org.key: connect_org(network.topology, network.layout, org) for org in network.topology.peer_orgs}
    yield opened
    for gateway in opened.values():
        gateway.close()


@pytest.fixture(scope="session")
def contracts(network: FabricNetwork, gateways):
    topology = network.topology
    return {
        key: gw.get_network(topology.channel_name).get_contract(topology.chaincode.name) for key, gw in gateways.items()
    }
