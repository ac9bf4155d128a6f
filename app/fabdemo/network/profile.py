"""Connection details of the running network for clients.

For each peer org a standard Fabric common connection profile (``connection-<org>.json``), the format
the official clients, Hyperledger Explorer and Caliper read. The kit's own app reads the same files.
"""

from __future__ import annotations

import json
from typing import Any

from fabdemo.network.layout import StateLayout
from fabdemo.network.topology import PeerOrg, Topology


def _first_file(folder) -> str:
    files = sorted(p for p in folder.iterdir() if p.is_file())
    return str(files[0]) if files else ""


def connection_profile(topology: Topology, layout: StateLayout, client_org: PeerOrg) -> dict[str, Any]:
    organizations: dict[str, Any] = {}
    peers: dict[str, Any] = {}
    for org in topology.peer_orgs:
        admin_msp = layout.admin_msp(org)
        organizations[org.key] = {
            "mspid": org.msp_id,
            "peers": [org.peer.host],
            "adminPrivateKey": {"path": _first_file(admin_msp / "keystore")},
            "signedCert": {"path": _first_file(admin_msp / "signcerts")},
            "x-displayName": org.name,
            "x-displayName-zh": org.name_zh,
            "x-roles": list(org.roles),
            "x-userMspPath": str(layout.user_msp(org)),
            "x-adminMspPath": str(admin_msp),
        }
        peers[org.peer.host] = {
            "url": f"grpcs://{org.peer.address}",
            "tlsCACerts": {"path": str(layout.peer_tls_ca(org))},
            "grpcOptions": {"ssl-target-name-override": org.peer.host, "hostnameOverride": org.peer.host},
        }
    orderers = {
        node.host: {
            "url": f"grpcs://{node.address}",
            "tlsCACerts": {"path": str(layout.orderer_tls_ca(topology))},
            "grpcOptions": {"ssl-target-name-override": node.host, "hostnameOverride": node.host},
        }
        for node in topology.orderer_org.nodes
    }
    return {
        "name": f"{topology.name}-{client_org.key}",
        "version": "1.0.0",
        "client": {"organization": client_org.key, "connection": {"timeout": {"peer": {"endorser": "300"}}}},
        "organizations": organizations,
        "peers": peers,
        "orderers": orderers,
        "channels": {
            topology.channel_name: {
                "orderers": list(orderers),
                "peers": {
                    org.peer.host: {
                        "endorsingPeer": True,
                        "chaincodeQuery": True,
                        "ledgerQuery": True,
                        "eventSource": True,
                    }
                    for org in topology.peer_orgs
                },
            }
        },
    }


def write_connection_files(topology: Topology, layout: StateLayout) -> None:
    layout.connection_profile_dir.mkdir(parents=True, exist_ok=True)
    for org in topology.peer_orgs:
        path = layout.connection_profile_dir / f"connection-{org.key}.json"
        path.write_text(json.dumps(connection_profile(topology, layout, org), indent=2))
