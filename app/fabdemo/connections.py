"""Gateway connections of the kit: one per org, each signing with that org's own identity."""

from __future__ import annotations

from fabdemo.network.layout import StateLayout
from fabdemo.network.topology import PeerOrg, Topology
from fabric_gateway import AsyncGateway, Gateway, connect, connect_async, load_msp_identity


def connect_org(topology: Topology, layout: StateLayout, org: PeerOrg, user: str = "User1") -> Gateway:
    """Connect to the org's own peer as one of its users (``User1`` by default, ``Admin`` for admin acts)."""
    identity, signer = load_msp_identity(layout.user_msp(org, user), org.msp_id)
    return connect(
        endpoint=org.peer.address,
        tls_root_cert_path=layout.peer_tls_ca(org),
        server_name_override=org.peer.host,
        identity=identity,
        signer=signer,
    )


async def connect_org_async(topology: Topology, layout: StateLayout, org: PeerOrg, user: str = "User1") -> AsyncGateway:
    """The asyncio twin of :func:`connect_org`, for the web app and the benchmarks."""
    identity, signer = load_msp_identity(layout.user_msp(org, user), org.msp_id)
    return await connect_async(
        endpoint=org.peer.address,
        tls_root_cert_path=layout.peer_tls_ca(org),
        server_name_override=org.peer.host,
        identity=identity,
        signer=signer,
    )
