"""docker-compose.yaml is kept in step with network/topology.yaml (no Docker needed)."""

from __future__ import annotations

import yaml

from fabdemo.network.layout import StateLayout
from fabdemo.network.state import NetworkState
from fabdemo.network.topology import load_topology
from fabdemo.runtime import composefile
from fabdemo.runtime.compose_project import ComposeProject
from fabdemo.settings import Settings


def test_compose_file_is_rendered_from_the_topology() -> None:
    topology = load_topology(composefile.default_topology_file())
    assert composefile.COMPOSE_FILE.read_text() == composefile.render(topology), "run `make compose-file`"


def test_every_node_has_a_service_and_published_ports_match_the_native_ones() -> None:
    topology = load_topology(composefile.default_topology_file())
    services = yaml.safe_load(composefile.COMPOSE_FILE.read_text())["services"]
    expected = {n.host: n.ports for n in topology.orderer_org.nodes}
    for org in (*topology.peer_orgs, *topology.joinable_orgs):
        expected[org.peer.host] = org.peer.ports
        expected[org.chaincode_server_host] = (org.chaincode_server_port,)
    for name, ports in expected.items():
        published = [p.split(":-")[1].split("}")[0] for p in services[name]["ports"]]
        assert [int(p) for p in published] == list(ports), name
        assert all(p.startswith("127.0.0.1:") for p in services[name]["ports"]), name
    assert services["peer0.farm.example.com"]["image"].startswith("${FABRIC_PEER_IMAGE:-hyperledger/fabric-peer}:")
    orderer_image = services["orderer1.orderer.example.com"]["image"]
    assert orderer_image.endswith(f":${{FABRIC_VERSION:-{topology.fabric.version}}}")


def test_port_variables_follow_the_offset() -> None:
    shifted = load_topology(composefile.default_topology_file(), port_offset=45000)
    variables = composefile.port_variables(shifted)
    assert variables["ORDERER1_PORT"] == 52050 and variables["FARM_PEER_PORT"] == 52051
    assert max(variables.values()) <= 65535


def test_every_peer_and_orderer_logs_at_the_levels_of_the_networks_batch_profile(tmp_path) -> None:
    topology = load_topology(composefile.default_topology_file())
    services = yaml.safe_load(composefile.COMPOSE_FILE.read_text())["services"]
    nodes = [n.host for n in topology.declared_orderers] + [
        o.peer.host for o in (*topology.peer_orgs, *topology.joinable_orgs)
    ]
    demo = topology.batch_profile("demo").log_spec
    for name in nodes:
        assert services[name]["environment"]["FABRIC_LOGGING_SPEC"] == f"${{FABRIC_LOGGING_SPEC:-{demo}}}", name
    # The kit writes the profile the network started with (network.json), as native nodes get it.
    layout = StateLayout(tmp_path)
    project = ComposeProject(Settings(state_dir=tmp_path), topology, layout)
    assert project.variables()["FABRIC_LOGGING_SPEC"] == demo
    NetworkState(runtime="compose", batch_profile="throughput").save(layout.network_file)
    throughput = topology.batch_profile("throughput").log_spec
    assert throughput != demo and project.variables()["FABRIC_LOGGING_SPEC"] == throughput
