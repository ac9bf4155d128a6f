"""Batch profiles carry more than block cutting: log levels, pprof, and how the endorsement policy is stated."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabdemo import context
from fabdemo.network import endorsement, nodeconfig, nodes
from fabdemo.network.layout import StateLayout
from fabdemo.network.state import NetworkState
from fabdemo.settings import Settings


@pytest.fixture
def started(tmp_path: Path):
    """The repository's topology and a state folder recording the batch profile a network was started with."""
    _settings, topology, _layout = context.load(Settings(state_dir=tmp_path / "state"))
    layout = StateLayout(tmp_path / "state")

    def with_profile(name: str):
        NetworkState(batch_profile=name).save(layout.network_file)
        return topology, layout

    return with_profile


def test_throughput_profile_logs_warnings_and_states_the_policy_explicitly(started) -> None:
    topology, layout = started("throughput")
    assert nodes.logging_spec(topology, layout) == "warning"
    assert endorsement.definition_policy(topology, layout, "") == (
        "OutOf(2,'FarmMSP.peer','ProcessorMSP.peer','RetailerMSP.peer')"
    )
    assert not nodeconfig.pprof_enabled(topology, layout)


def test_demo_profile_keeps_info_and_the_channel_majority(started) -> None:
    topology, layout = started("demo")
    spec = nodes.logging_spec(topology, layout)
    assert spec.endswith(":info") and "comm.grpc.server" in spec  # only the line per gRPC call goes
    assert endorsement.definition_policy(topology, layout, "") == ""  # MAJORITY Endorsement grows with add-org
    assert endorsement.definition_policy(topology, layout, "OR('FarmMSP.peer')") == "OR('FarmMSP.peer')"


def test_pprof_profile_turns_on_go_profiling(started) -> None:
    topology, layout = started("pprof")
    assert nodeconfig.pprof_enabled(topology, layout)
    assert nodeconfig.pprof_port(9446) == 10446


def test_majority_counts_the_members() -> None:
    _settings, topology, _layout = context.load(Settings())
    grown = topology.with_members([org.key for org in topology.joinable_orgs])
    n = len(grown.peer_orgs)
    assert endorsement.majority_signature_policy(grown).startswith(f"OutOf({n // 2 + 1},")


def test_benchmark_profile_gossips_less_often_than_the_demo(started) -> None:
    topology, layout = started("throughput")
    timing = nodeconfig._gossip_timing(nodeconfig.recorded_profile(topology, layout))
    assert timing["peer.gossip.aliveTimeInterval"] == "2000ms"
    assert timing["peer.gossip.aliveExpirationTimeout"] == "20000ms"
    topology, layout = started("demo")
    demo = nodeconfig._gossip_timing(nodeconfig.recorded_profile(topology, layout))
    assert demo["peer.gossip.aliveTimeInterval"] == "500ms" and demo["peer.gossip.aliveExpirationTimeout"] == "5000ms"
