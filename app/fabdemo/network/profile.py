"""Connection details of the running network for clients.

For each peer org a standard Fabric common connection profile (``connection-<org>.json``), the format
the official clients, Hyperledger Explorer and Caliper read. It is rendered by the generic writer of
our gateway client; this module only maps the topology onto it.
"""

from __future__ import annotations

from pathlib import Path

from fabdemo.network.layout import StateLayout
from fabdemo.network.topology import PeerOrg, Topology
from fabric_gateway.profile import (
    ChannelInfo,
    ChannelPeerRoles,
    ConnectionProfile,
    NodeInfo,
    OrganizationInfo,
    TlsCaCerts,
)


def _first_file(folder: Path) -> str | None:
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    return str(files[0]) if files else None


def connection_profile(topology: Topology, layout: StateLayout, client_org: PeerOrg) -> ConnectionProfile:
    organizations = [
        OrganizationInfo(
            name=org.key,
            msp_id=org.msp_id,
            peers=[org.peer.host],
            admin_private_key_path=_first_file(layout.admin_msp(org) / "keystore"),
            signed_cert_path=_first_file(layout.admin_msp(org) / "signcerts"),
        )
        for org in topology.peer_orgs
    ]
    peers = [
        NodeInfo(
            name=org.peer.host,
            url=f"grpcs://{org.peer.address}",
            tls_ca_certs=TlsCaCerts(path=str(layout.peer_tls_ca(org))),
            ssl_target_name_override=org.peer.host,
        )
        for org in topology.peer_orgs
    ]
    orderers = [
        NodeInfo(
            name=node.host,
            url=f"grpcs://{node.address}",
            tls_ca_certs=TlsCaCerts(path=str(layout.orderer_tls_ca(topology))),
            ssl_target_name_override=node.host,
        )
        for node in topology.orderer_org.nodes
    ]
    channel = ChannelInfo(
        name=topology.channel_name,
        orderers=[o.name for o in orderers],
        peers={p.name: ChannelPeerRoles() for p in peers},
    )
    return ConnectionProfile(
        name=f"{topology.name}-{client_org.key}",
        description=f"{topology.name} network as seen by {client_org.name} ({client_org.msp_id})",
        client_organization=client_org.key,
        organizations=organizations,
        peers=peers,
        orderers=orderers,
        channels=[channel],
        client_extra={"connection": {"timeout": {"peer": {"endorser": "300"}}}},
    )


def profile_path(layout: StateLayout, org: PeerOrg) -> Path:
    return layout.connection_profile_dir / f"connection-{org.key}.json"


def write_connection_files(topology: Topology, layout: StateLayout) -> None:
    layout.connection_profile_dir.mkdir(parents=True, exist_ok=True)
    for org in topology.peer_orgs:
        connection_profile(topology, layout, org).write(profile_path(layout, org))
