"""What runs: one ``NodeSpec`` per orderer, peer and chaincode server, derived from the topology.

A runtime (native processes or Docker Compose) turns these specs into running things; the specs say
what each node is, which org owns it, how to check it is healthy, and which ports it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from fabdemo.network.binaries import FabricInstall
from fabdemo.network.layout import StateLayout
from fabdemo.network.state import NetworkState
from fabdemo.network.topology import LOCALHOST, PeerOrg, Topology


class NodeKind(StrEnum):
    ORDERER = "orderer"
    PEER = "peer"
    CHAINCODE = "chaincode"
    CA = "ca"  # a Fabric CA server (IDENTITIES=ca)


@dataclass(frozen=True)
class NodeSpec:
    name: str
    kind: NodeKind
    org_key: str
    msp_id: str
    command: tuple[str, ...]
    env: dict[str, str]
    cwd: Path
    ports: tuple[int, ...]
    # Health: an operations endpoint answering /healthz over TLS, or (chaincode servers) a TCP port.
    operations_address: str | None = None
    tls_ca: Path | None = None
    # TLS client certificate and key accepted by the operations endpoint (for /metrics).
    ops_client_tls: Path | None = None
    health_port: int | None = None
    health_host: str = LOCALHOST
    health_path: str = "/healthz"  # a Fabric CA answers /cainfo on its API port
    extra: dict[str, str] = field(default_factory=dict)


def orderer_specs(topology: Topology, layout: StateLayout, fabric: FabricInstall) -> list[NodeSpec]:
    specs = []
    for node in topology.orderer_org.nodes:
        specs.append(
            NodeSpec(
                name=node.host,
                kind=NodeKind.ORDERER,
                org_key=topology.orderer_org.key,
                msp_id=topology.orderer_org.msp_id,
                command=(str(fabric.tool("orderer")),),
                env={"FABRIC_CFG_PATH": str(layout.node_config(node.host))},
                cwd=layout.node_dir(node.host),
                ports=node.ports,
                operations_address=node.operations_address,
                tls_ca=layout.orderer_tls_ca(topology),
                ops_client_tls=layout.orderer_admin_tls(topology),
            )
        )
    return specs


def peer_spec(layout: StateLayout, org: PeerOrg, fabric: FabricInstall) -> NodeSpec:
    return NodeSpec(
        name=org.peer.host,
        kind=NodeKind.PEER,
        org_key=org.key,
        msp_id=org.msp_id,
        command=(str(fabric.tool("peer")), "node", "start"),
        env={"FABRIC_CFG_PATH": str(layout.node_config(org.peer.host))},
        cwd=layout.node_dir(org.peer.host),
        ports=org.peer.ports,
        operations_address=org.peer.operations_address,
        tls_ca=layout.peer_tls_ca(org),
        ops_client_tls=layout.admin_tls(org),
    )


def chaincode_spec(layout: StateLayout, org: PeerOrg, binary: Path, package_id: str, workdir: Path) -> NodeSpec:
    tls = layout.chaincode_tls_dir(org)
    return NodeSpec(
        name=layout.chaincode_server_name(org),
        kind=NodeKind.CHAINCODE,
        org_key=org.key,
        msp_id=org.msp_id,
        command=(str(binary),),
        env={
            "CHAINCODE_SERVER_ADDRESS": f"{LOCALHOST}:{org.chaincode_server_port}",
            "CHAINCODE_ID": package_id,
            "CHAINCODE_TLS_KEY_FILE": str(tls / "server.key"),
            "CHAINCODE_TLS_CERT_FILE": str(tls / "server.crt"),
        },
        cwd=workdir,
        ports=(org.chaincode_server_port,),
        # Ready when a TLS handshake with the server succeeds (a bare TCP connect is not enough under
        # Compose: Docker's port proxy accepts connections before the server listens).
        tls_ca=tls / "ca.crt",
        health_port=org.chaincode_server_port,
        health_host=org.chaincode_server_address.rsplit(":", 1)[0],
        extra={"package_id": package_id},
    )


def network_specs(topology: Topology, layout: StateLayout, fabric: FabricInstall) -> list[NodeSpec]:
    """Orderers and peers (chaincode servers come with the chaincode deployment)."""
    specs = [
        *orderer_specs(topology, layout, fabric),
        *(peer_spec(layout, org, fabric) for org in topology.peer_orgs),
    ]
    log_spec = logging_spec(topology, layout)
    return [replace(spec, env={**spec.env, "FABRIC_LOGGING_SPEC": log_spec}) for spec in specs]


def logging_spec(topology: Topology, layout: StateLayout) -> str:
    """The log levels of the batch profile the network was started with (recorded in network.json)."""
    recorded = NetworkState.load(layout.network_file).batch_profile
    return (topology.batch_profiles.get(recorded) or topology.batch_profile(None)).log_spec
