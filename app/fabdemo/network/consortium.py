"""Consortium changes on the live channel: onboard a partner org, or take it out again.

Onboarding (``make add-org``): the new org's crypto and peer, a channel config update computed from the
live config and signed by a majority of the member orgs' admins, its peer joining the channel, the
contract installed and approved for it, and its role granted on the ledger. Every step is idempotent,
so an interrupted run can simply be repeated.
"""

from __future__ import annotations

from collections.abc import Callable

from fabdemo.network import admin, crypto, endorsement, nodeconfig
from fabdemo.network.bootstrap import join_peer
from fabdemo.network.context import NetworkContext
from fabdemo.network.lifecycle import ChaincodeLifecycle, timed_steps
from fabdemo.network.membership import Membership
from fabdemo.network.nodectl import NodeControl
from fabdemo.network.nodes import network_specs
from fabdemo.network.profile import write_connection_files
from fabdemo.network.state import NetworkError
from fabdemo.network.topology import PeerOrg, Topology

Progress = Callable[[str], None]


class Consortium:
    def __init__(self, ctx: NetworkContext, nodes: NodeControl, lifecycle: ChaincodeLifecycle) -> None:
        self.ctx = ctx
        self.nodes = nodes
        self.lifecycle = lifecycle

    def add_org(self, key: str, progress: Progress) -> str:
        """Onboard a joinable org; returns 'added' or 'already-member'."""
        ctx = self.ctx
        layout, fabric = ctx.layout, ctx.fabric
        if not ctx.state.bootstrapped:
            raise NetworkError("the network is not up; run `make up` first")
        if key in ctx.state.joined_orgs or any(o.key == key for o in ctx.base_topology.peer_orgs):
            progress(f"{key} is already a member of channel {ctx.base_topology.channel_name}.")
            return "already-member"
        org = ctx.base_topology.joinable_org(key)
        if endorsement.uses_signature_policy(ctx.topology, layout):
            # Its chaincode definition names the founding orgs; MAJORITY would have grown by itself.
            raise NetworkError(
                f"add-org needs a network started with the demo profile: the {ctx.state.batch_profile!r} profile "
                "states the endorsement policy over the founding orgs (see docs/performance.md)"
            )
        step = timed_steps(progress)

        current = ctx.topology
        existing = list(current.peer_orgs)
        grown = ctx.base_topology.with_members([*ctx.state.joined_orgs, org.key])
        if grown.uses_ca:
            self._enroll_with_ca(grown, org, step)
        elif not layout.admin_msp(org).exists():
            step(f"Generating crypto material for {org.name} ({org.msp_id})")
            crypto.extend(grown, layout, fabric.tool("cryptogen"), org)
        if not (layout.chaincode_tls_dir(org) / "ca.crt").exists():
            crypto.issue_chaincode_server_tls(layout, org)
        nodeconfig.write_peer(
            grown, layout, org, fabric.sampleconfig_dir, ctx.builders_dir, ctx.placement, ctx.runtime.couchdb(org)
        )
        admin.write_env_files(grown, layout, fabric)
        step(f"Starting {org.peer.host}")
        peer = next(s for s in network_specs(grown, layout, fabric) if s.name == org.peer.host)
        self.nodes.start_and_wait([peer], step)

        step(f"Channel config update adding {org.msp_id}, signed by {', '.join(o.msp_id for o in existing)}")
        before = self.nodes.peer_height()
        Membership(current, layout, fabric, ctx.placement).add(org, signers=existing)
        step(f"{org.peer.host} joins the channel and catches up")
        join_peer(ctx, grown, org)
        self.nodes.wait_for_catch_up(peer, at_least=before + 1)  # up to the config block that adds it
        self.lifecycle.deploy_to_new_org(org, grown, step)
        step(f"Granting {org.msp_id} the role(s) {', '.join(org.roles)} on the ledger")
        for role in org.roles:
            self.lifecycle.admin_invoke(grown, existing, "GrantRole", [org.msp_id, role], tolerate="ALREADY_EXISTS")

        state = ctx.state
        state.joined_orgs = [*state.joined_orgs, org.key]
        state.save(layout.network_file)  # from here on, ctx.topology has the new member
        write_connection_files(grown, layout)
        self.nodes.wait_for_equal_heights()
        self.nodes.wait_for_gossip()
        members = len(grown.peer_orgs)
        step(f"{org.name} is a member: {members} peer orgs, MAJORITY = {members // 2 + 1} endorsements")
        return "added"

    def _enroll_with_ca(self, grown: Topology, org: PeerOrg, step: Progress) -> None:
        """IDENTITIES=ca: the new org's own Fabric CA starts, then its peer, admin and user are enrolled."""
        from fabdemo.network import enrollment, fabricca

        ctx = self.ctx
        if ctx.fabric_ca is None:
            raise NetworkError("IDENTITIES=ca needs the Fabric CA binaries (the context did not build them)")
        ca = fabricca.ca_spec(ctx.layout, fabricca.peer_ca_org(org), ctx.fabric_ca)
        step(f"Starting {ca.name} (the Fabric CA of {org.msp_id})")
        self.nodes.start_and_wait([ca], step)
        if ctx.layout.ca_registrar_msp(ca.name).exists() and ctx.layout.admin_msp(org).exists():
            return  # enrolled by an earlier (interrupted) run, with this very CA
        step(f"Enrolling {org.name}'s peer, admin and user with its CA (NodeOUs)")
        enrollment.enroll_org(grown, ctx.layout, ctx.fabric_ca, org)
        crypto.issue_chaincode_server_tls(ctx.layout, org)

    def remove_org(self, key: str, progress: Progress) -> str:
        """Take a joined org out again: role revoked, channel update, its nodes stopped (ledgers kept)."""
        ctx = self.ctx
        org = ctx.base_topology.joinable_org(key)
        # With the org as a member, whatever network.json says: an interrupted add may have left it half in.
        topology = ctx.base_topology.with_members([*ctx.state.joined_orgs, key])
        remaining = [o for o in topology.peer_orgs if o.key != key]
        membership = Membership(topology, ctx.layout, ctx.fabric, ctx.placement)
        if key not in ctx.state.joined_orgs and org.msp_id not in membership.members(remaining[0]):
            progress(f"{key} is not a member of the channel; nothing to remove.")
            return "not-member"
        for role in org.roles:
            self.lifecycle.admin_invoke(topology, remaining, "RevokeRole", [org.msp_id, role], tolerate="NOT_FOUND")
        progress(f"Channel config update removing {org.msp_id}")
        membership.remove(org, signers=remaining)
        # The org's nodes stop but keep their ledgers: its records (including its private approval of the
        # chaincode definition, which no other org holds) are still there if it joins again.
        for spec in [s for s in self.nodes.specs(topology) if s.org_key == key]:
            ctx.runtime.stop(spec)
        state = ctx.state
        state.joined_orgs = [k for k in state.joined_orgs if k != key]
        state.chaincode.get("package_ids", {}).pop(key, None)
        state.save(ctx.layout.network_file)
        admin.write_env_files(ctx.topology, ctx.layout, ctx.fabric)
        write_connection_files(ctx.topology, ctx.layout)
        self.nodes.wait_for_gossip()
        progress(f"{org.name} removed")
        return "removed"
