"""Where generated things live inside the state directory.

cryptogen decides the shape of the crypto tree; this module is the only place that knows it, so the
runtime, the env files, the connection profile and the app all agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fabdemo.network.topology import OrdererNode, PeerOrg, Topology


@dataclass(frozen=True)
class StateLayout:
    root: Path

    # -- top-level folders ---------------------------------------------------------------------------
    @property
    def crypto(self) -> Path:
        return self.root / "crypto"

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def nodes(self) -> Path:
        return self.root / "nodes"

    @property
    def channel_artifacts(self) -> Path:
        return self.root / "channel"

    @property
    def env_dir(self) -> Path:
        return self.root / "env"

    @property
    def chaincode(self) -> Path:
        return self.root / "chaincode"

    @property
    def network_file(self) -> Path:
        """Facts about the running network (profile, bootstrap done, deployed chaincode)."""
        return self.root / "network.json"

    @property
    def snapshots(self) -> Path:
        return self.root / "snapshots"

    @property
    def genesis_block(self) -> Path:
        return self.channel_artifacts / "genesis.block"

    @property
    def cli_config(self) -> Path:
        """FABRIC_CFG_PATH for the peer CLI acting as a client (it needs a core.yaml to start)."""
        return self.config / "cli"

    @property
    def connection_profile_dir(self) -> Path:
        return self.root / "profiles"

    # -- orderer org -------------------------------------------------------------------------------
    def orderer_org_dir(self, topology: Topology) -> Path:
        return self.crypto / "ordererOrganizations" / topology.orderer_org.domain

    def orderer_tls_ca(self, topology: Topology) -> Path:
        org = topology.orderer_org
        return self.orderer_org_dir(topology) / "tlsca" / f"tlsca.{org.domain}-cert.pem"

    def orderer_node_dir(self, topology: Topology, node: OrdererNode) -> Path:
        return self.orderer_org_dir(topology) / "orderers" / node.host

    def orderer_admin_tls(self, topology: Topology) -> Path:
        """TLS client material of the orderer org admin, used for the channel participation API."""
        org = topology.orderer_org
        return self.orderer_org_dir(topology) / "users" / f"Admin@{org.domain}" / "tls"

    # -- peer orgs ---------------------------------------------------------------------------------
    def peer_org_dir(self, org: PeerOrg) -> Path:
        return self.crypto / "peerOrganizations" / org.domain

    def peer_node_dir(self, org: PeerOrg) -> Path:
        return self.peer_org_dir(org) / "peers" / org.peer.host

    def peer_tls_ca(self, org: PeerOrg) -> Path:
        return self.peer_org_dir(org) / "tlsca" / f"tlsca.{org.domain}-cert.pem"

    def peer_tls_ca_key(self, org: PeerOrg) -> Path:
        return self.peer_org_dir(org) / "tlsca" / "priv_sk"

    def user_msp(self, org: PeerOrg, user: str = "User1") -> Path:
        return self.peer_org_dir(org) / "users" / f"{user}@{org.domain}" / "msp"

    def admin_msp(self, org: PeerOrg) -> Path:
        return self.user_msp(org, "Admin")

    def admin_tls(self, org: PeerOrg) -> Path:
        return self.peer_org_dir(org) / "users" / f"Admin@{org.domain}" / "tls"

    def org_msp(self, org: PeerOrg) -> Path:
        return self.peer_org_dir(org) / "msp"

    def env_file(self, org: PeerOrg) -> Path:
        return self.env_dir / f"{org.key}.env"

    # -- per node runtime folders -------------------------------------------------------------------
    def node_dir(self, name: str) -> Path:
        return self.nodes / name

    def node_config(self, name: str) -> Path:
        return self.node_dir(name) / "config"

    def node_data(self, name: str) -> Path:
        return self.node_dir(name) / "data"

    def node_log(self, name: str) -> Path:
        return self.node_dir(name) / "node.log"

    def node_pid(self, name: str) -> Path:
        return self.node_dir(name) / "node.pid"

    # -- Fabric CA (IDENTITIES=ca) ---------------------------------------------------------------------
    def ca_home(self, ca_host: str) -> Path:
        """The CA server's home: its config, its own CA certificate and key, its SQLite database."""
        return self.node_data(ca_host)

    def ca_cert(self, ca_host: str) -> Path:
        return self.ca_home(ca_host) / "ca-cert.pem"

    def ca_registrar_msp(self, ca_host: str) -> Path:
        """The CA's bootstrap admin (the registrar), enrolled once; it registers and revokes identities."""
        return self.node_dir(ca_host) / "registrar" / "msp"

    def ca_client_home(self, ca_host: str) -> Path:
        return self.node_dir(ca_host) / "client"

    def chaincode_server_name(self, org: PeerOrg) -> str:
        return org.chaincode_server_host

    def chaincode_tls_dir(self, org: PeerOrg) -> Path:
        return self.node_dir(self.chaincode_server_name(org)) / "tls"
