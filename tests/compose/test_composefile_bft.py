"""docker-compose.yaml serves SmartBFT too: the fourth orderer is a service of the "bft" profile (no Docker needed)."""

from __future__ import annotations

import yaml

from fabdemo.network.topology import load_topology
from fabdemo.runtime import composefile

FOURTH = "orderer4.orderer.example.com"


def _services() -> dict:
    return yaml.safe_load(composefile.COMPOSE_FILE.read_text())["services"]


def test_every_bft_orderer_has_a_service_with_the_native_ports() -> None:
    bft = load_topology(composefile.default_topology_file(), consensus="bft")
    services = _services()
    assert len(bft.orderer_org.nodes) == 4
    for node in bft.orderer_org.nodes:
        published = [int(p.split(":-")[1].split("}")[0]) for p in services[node.host]["ports"]]
        assert published == list(node.ports), node.host
        assert services[node.host]["volumes"][-1] == f"{node.host}:{composefile.VOLUME_MOUNT}"
    assert FOURTH in yaml.safe_load(composefile.COMPOSE_FILE.read_text())["volumes"]


def test_only_the_fourth_orderer_is_bft_only_so_a_raft_network_never_starts_it() -> None:
    services = _services()
    raft = load_topology(composefile.default_topology_file(), consensus="raft")
    assert [n.host for n in raft.orderer_org.nodes] == [f"orderer{i}.orderer.example.com" for i in (1, 2, 3)]
    for node in raft.orderer_org.nodes:
        assert "profiles" not in services[node.host], node.host
    assert services[FOURTH]["profiles"] == ["bft"]


def test_the_fourth_orderers_port_variables_follow_the_offset() -> None:
    shifted = load_topology(composefile.default_topology_file(), port_offset=12700, consensus="bft")
    variables = composefile.port_variables(shifted)
    assert variables["ORDERER4_PORT"] == 10050 + 12700
    assert variables["ORDERER4_OPERATIONS_PORT"] == 9450 + 12700
    # A Raft network's variables still name the fourth orderer, so the file's defaults never apply.
    raft = composefile.port_variables(load_topology(composefile.default_topology_file(), port_offset=12700))
    assert raft["ORDERER4_PORT"] == 10050 + 12700
