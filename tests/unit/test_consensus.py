"""Raft or SmartBFT, chosen once: the topology's orderer set, the channel's configtx, and the storyboard
steps meant for one of them (no network; tests/e2e/test_bft.py runs the real thing)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from fabdemo import context
from fabdemo.network import channel
from fabdemo.network.layout import StateLayout
from fabdemo.network.state import NetworkError, NetworkState
from fabdemo.network.topology import load_topology
from fabdemo.settings import REPO_ROOT, Settings
from fabdemo.storyboard.engine import StoryEngine, StoryRun
from fabdemo.storyboard.model import Action, Expectation

TOPOLOGY = REPO_ROOT / "network" / "topology.yaml"
LAYOUT = StateLayout(Path("/STATE"))


def _orderer(consensus: str) -> dict:
    topology = load_topology(TOPOLOGY, consensus=consensus)
    doc = channel.configtx(topology, LAYOUT, topology.batch_profile("demo"))
    return doc["Profiles"][channel.PROFILE_NAME]["Orderer"]


def test_raft_runs_three_orderers_and_bft_four_each_tolerating_one() -> None:
    raft, bft = (load_topology(TOPOLOGY, consensus=c) for c in ("raft", "bft"))
    assert [len(t.orderer_org.nodes) for t in (raft, bft)] == [3, 4]
    assert raft.fault_tolerance == bft.fault_tolerance == 1
    assert [n.consenter_id for n in bft.orderer_org.nodes] == [1, 2, 3, 4]
    assert load_topology(TOPOLOGY).consensus == "raft"  # the file's default


def test_an_unknown_consensus_is_refused_by_name() -> None:
    with pytest.raises(KeyError, match="unknown consensus 'pbft'; known: raft, bft"):
        load_topology(TOPOLOGY, consensus="pbft")


def test_raft_configtx_has_etcdraft_consenters_only() -> None:
    orderer = _orderer("raft")
    assert orderer["OrdererType"] == "etcdraft"
    assert len(orderer["EtcdRaft"]["Consenters"]) == 3
    assert "ConsenterMapping" not in orderer and "SmartBFT" not in orderer


def test_bft_configtx_maps_every_consenter_with_identity_and_tls() -> None:
    orderer = _orderer("bft")
    topology = load_topology(TOPOLOGY, consensus="bft")
    assert orderer["OrdererType"] == "BFT" and "EtcdRaft" not in orderer
    mapping = orderer["ConsenterMapping"]
    assert [m["ID"] for m in mapping] == [1, 2, 3, 4]
    assert [m["Port"] for m in mapping] == [n.port for n in topology.orderer_org.nodes]
    fourth = mapping[3]
    assert fourth["MSPID"] == "OrdererMSP"
    assert fourth["Identity"].endswith(
        "orderer4.orderer.example.com/msp/signcerts/orderer4.orderer.example.com-cert.pem"
    )
    assert fourth["ServerTLSCert"].endswith("orderer4.orderer.example.com/tls/server.crt")
    # The batch profile drives both: BatchTimeout for Raft, RequestBatchMaxInterval for SmartBFT.
    assert orderer["SmartBFT"]["RequestBatchMaxInterval"] == orderer["BatchTimeout"] == "100ms"
    assert orderer["SmartBFT"]["RequestComplainTimeout"] == topology.smartbft.request_complain_timeout
    # Every address an orderer is reached at is a consenter (1:1, as Fabric recommends for BFT).
    endpoints = orderer["Organizations"][0]["OrdererEndpoints"]
    assert endpoints == [f"127.0.0.1:{m['Port']}" for m in mapping]


def test_an_existing_network_keeps_its_consensus(tmp_path: Path) -> None:
    layout = StateLayout(tmp_path)
    NetworkState(consensus="bft").save(layout.network_file)
    assert context.choose_consensus(Settings(state_dir=tmp_path), layout) == "bft"
    with pytest.raises(NetworkError, match="runs bft consensus; take it down first"):
        context.choose_consensus(Settings(state_dir=tmp_path, consensus="raft"), layout)


class _Control:
    def __init__(self, consensus: str) -> None:
        self.consensus = consensus
        self.stopped: list[str] = []

    async def stop_node(self, name: str) -> dict:
        self.stopped.append(name)
        return {"node": name, "stopped": True}


@pytest.mark.parametrize(("consensus", "runs"), [("bft", True), ("raft", False)])
def test_a_step_for_one_consensus_is_skipped_on_the_other(consensus: str, runs: bool) -> None:
    control = _Control(consensus)
    engine = StoryEngine(ledger=None, control=control, repo_root=REPO_ROOT)
    run = StoryRun()
    action = Action(id="stop_fourth", control="stop_node", node="orderer4.orderer.example.com", only_on="bft")
    report = asyncio.run(engine.run_action(run, action))
    check = asyncio.run(engine._check(run, Expectation(action="stop_fourth", path="result.stopped", equals=True)))
    assert report.ok and check.ok
    assert control.stopped == (["orderer4.orderer.example.com"] if runs else [])
    assert report.summary.startswith("skipped") is not runs
