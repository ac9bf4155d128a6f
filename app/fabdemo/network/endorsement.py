"""The chaincode's endorsement policy as the peers evaluate it, per batch profile.

The channel's default ``/Channel/Application/Endorsement`` is ``MAJORITY Endorsement``: an implicit-meta
policy over each org's own ``Endorsement`` sub-policy. A peer validating a transaction evaluates the
sub-policies one after the other and each evaluation verifies the endorsement signatures again, so 2-of-3
costs 4 to 6 ECDSA verifications per transaction per peer. The same 2-of-3 stated as an explicit
signature policy, ``OutOf(2, 'FarmMSP.peer', 'ProcessorMSP.peer', 'RetailerMSP.peer')``, verifies each
signature once (measured in docs/performance.md: peer CPU per transaction -13%).

The demo keeps MAJORITY, because it grows with the consortium (`make add-org` makes it 3 of 4 without
touching the chaincode definition); the benchmark profiles state it explicitly over the members of the
channel when the chaincode is defined.
"""

from __future__ import annotations

from fabdemo.network.layout import StateLayout
from fabdemo.network.state import NetworkState
from fabdemo.network.topology import Topology


def majority_signature_policy(topology: Topology) -> str:
    """MAJORITY of the channel's peer orgs, as an explicit signature policy."""
    msps = [org.msp_id for org in topology.peer_orgs]
    members = ",".join(f"'{msp}.peer'" for msp in msps)
    return f"OutOf({len(msps) // 2 + 1},{members})"


def uses_signature_policy(topology: Topology, layout: StateLayout) -> bool:
    """The network's batch profile (network.json) asks for the explicit form."""
    profile = topology.batch_profiles.get(NetworkState.load(layout.network_file).batch_profile)
    return bool(profile and profile.signature_policy)


def definition_policy(topology: Topology, layout: StateLayout, configured: str) -> str:
    """The ``--signature-policy`` of the chaincode definition ("" = the channel's MAJORITY Endorsement)."""
    if configured:
        return configured
    return majority_signature_policy(topology) if uses_signature_policy(topology, layout) else ""
