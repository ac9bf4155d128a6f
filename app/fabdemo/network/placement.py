"""Where the nodes run, as the nodes themselves see it: what they listen on, what they advertise, where
their files are.

This is the one thing that differs between the runtimes; the bootstrap code asks a ``Placement`` instead
of assuming loopback addresses or host paths:

- **native**: every node is a process on this machine. It listens on 127.0.0.1, advertises
  ``127.0.0.1:<port>`` to the others (anchor peers, orderer endpoints, Raft consenters, the chaincode
  server address in ``connection.json``) and reads its files where the kit wrote them.
- **container** (Docker Compose): every node runs in its own container. It listens on all interfaces of
  the container, advertises its host name (``peer0.farm.example.com:<port>``, resolved by the Compose
  network's DNS) and finds its files at fixed paths inside the container, bind-mounted from the state
  directory. The container paths follow the official images: ``FABRIC_CFG_PATH=/etc/hyperledger/fabric``
  and data in ``/var/hyperledger/production`` (a named volume).

Clients on the host (the peer CLI, the Python gateway client, health checks) dial ``127.0.0.1:<port>``
in both cases: the Compose runtime publishes every port on the host's loopback interface under the same
number, and the node certificates name 127.0.0.1 as well as the host name. A client inside the Compose
network (the app container) dials host names instead, Fabric CAs included: the topology is loaded with
``dial_by_name`` there, and every TLS certificate, a CA server's too, names its host.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fabdemo.network.layout import StateLayout
from fabdemo.network.topology import LOCALHOST, OrdererNode, PeerOrg, Topology

# Paths inside the containers (the Compose file mounts the state directory's pieces here).
CONTAINER_CONFIG_DIR = "/etc/hyperledger/fabric"  # FABRIC_CFG_PATH of the official images
CONTAINER_CRYPTO_DIR = "/etc/hyperledger/crypto"  # the node's own msp/ and tls/ from cryptogen
CONTAINER_DATA_DIR = "/var/hyperledger/production"  # ledgers: a named volume per node
CONTAINER_BUILDERS_DIR = "/opt/fabdemo/builders"  # the kit's ccaas external builder (network/builders)
CONTAINER_CHAINCODE_TLS_DIR = "/etc/hyperledger/chaincode/tls"  # chaincode server certificate and key
# A Fabric CA's home (FABRIC_CA_HOME of the official image), bind-mounted read-write from the state dir,
# and its registrar's secret beside it, read-only.
CONTAINER_CA_HOME = "/etc/hyperledger/fabric-ca-server"
CONTAINER_CA_SECRET = "/etc/hyperledger/fabric-ca-bootstrap.secret"
# The host's Fabric CA binaries in the app container (fabric-ca-client for the identity service).
CONTAINER_CA_BIN_DIR = "/opt/fabric-ca/bin"


@dataclass(frozen=True)
class NodeFiles:
    """A node's files as the node sees them."""

    msp: str
    tls: str  # folder with server.crt, server.key and ca.crt (the org's TLS CA)
    data: str


@dataclass(frozen=True)
class Placement:
    name: str  # "native" or "container"
    listen_host: str  # address the nodes bind to

    @property
    def in_containers(self) -> bool:
        return self.name == "container"

    def advertised_host(self, host: str) -> str:
        """How other nodes reach the node called ``host`` (its canonical name, e.g. peer0.farm.example.com)."""
        return host if self.in_containers else LOCALHOST

    def advertised(self, host: str, port: int) -> str:
        return f"{self.advertised_host(host)}:{port}"

    def listen(self, port: int) -> str:
        return f"{self.listen_host}:{port}"

    def peer_files(self, layout: StateLayout, org: PeerOrg) -> NodeFiles:
        if self.in_containers:
            return _CONTAINER_FILES
        node_dir = layout.peer_node_dir(org)
        return NodeFiles(str(node_dir / "msp"), str(node_dir / "tls"), str(layout.node_data(org.peer.host)))

    def orderer_files(self, layout: StateLayout, topology: Topology, node: OrdererNode) -> NodeFiles:
        if self.in_containers:
            return _CONTAINER_FILES
        node_dir = layout.orderer_node_dir(topology, node)
        return NodeFiles(str(node_dir / "msp"), str(node_dir / "tls"), str(layout.node_data(node.host)))

    def builders_dir(self, host_builders_dir: Path) -> str:
        return CONTAINER_BUILDERS_DIR if self.in_containers else str(host_builders_dir)


_CONTAINER_FILES = NodeFiles(f"{CONTAINER_CRYPTO_DIR}/msp", f"{CONTAINER_CRYPTO_DIR}/tls", CONTAINER_DATA_DIR)

NATIVE = Placement("native", LOCALHOST)
CONTAINERS = Placement("container", "0.0.0.0")
