"""The org directory: who the channel's member organisations are, right now.

It reads the process's one network object (``network.topology``, derived from network.json on each
access), so an org that a storyboard or ``make add-org`` onboarded is a member here at once, and one
that was removed (or rewound by a reset) is gone.
"""

from __future__ import annotations

from typing import Any, Protocol

from fabdemo.network.topology import PeerOrg, Topology
from fabdemo.service.catalogue import DefaultContext, Operation, defaults, get_operation
from fabdemo.service.errors import ServiceError


class HasTopology(Protocol):
    """What the directory needs of the network: its live topology (``FabricNetwork`` has it)."""

    @property
    def topology(self) -> Topology: ...


class OrgDirectory:
    def __init__(self, network: HasTopology) -> None:
        self._network = network

    @property
    def topology(self) -> Topology:
        return self._network.topology

    def org(self, key_or_msp: str | None) -> PeerOrg:
        """A member org by key (``farm``) or MSP id (``FarmMSP``); none given: the first member."""
        topology = self.topology
        if not key_or_msp:
            return topology.peer_orgs[0]
        try:
            return topology.peer_org(key_or_msp)
        except KeyError:
            known = ", ".join(o.key for o in topology.peer_orgs)
            raise ServiceError(
                "UNKNOWN_ORG",
                f"unknown organisation {key_or_msp!r}; known: {known}",
                message_zh=f"未知组织：{key_or_msp}（可选：{known}）",
                field="org",
            ) from None

    def orgs(self) -> list[dict[str, Any]]:
        return [
            {"key": o.key, "msp": o.msp_id, "name": o.name, "name_zh": o.name_zh, "roles": list(o.roles)}
            for o in self.topology.peer_orgs
        ]

    def msp_by_role(self) -> dict[str, str]:
        """The first member MSP holding each role (the forms' default counterparties)."""
        found: dict[str, str] = {}
        for org in self.topology.peer_orgs:
            for role in org.roles:
                found.setdefault(role, org.msp_id)
        return found

    def msps_with_role(self, role: str) -> list[str]:
        return [o.msp_id for o in self.topology.orgs_with_role(role)]

    def endorsers(self, op: Operation, endorsing_orgs: list[str] | None = None) -> list[str] | None:
        """The MSP ids that endorse a submit of ``op``: the caller's choice (org keys or MSP ids), else the
        orgs holding the operation's endorsing roles, else ``None`` (the gateway plans by policy)."""
        if endorsing_orgs:
            return [self.org(o).msp_id for o in endorsing_orgs]
        if not op.endorse_roles:
            return None
        msps: list[str] = []
        for role in op.endorse_roles:
            for msp in self.msps_with_role(role):
                if msp not in msps:
                    msps.append(msp)
        return msps

    def consumer_org(self) -> PeerOrg:
        """Who records a consumer's scan: the (first) retailer's app; the consumer has no identity."""
        retailers = self.topology.orgs_with_role("retailer")
        return retailers[0] if retailers else self.topology.peer_orgs[0]

    def defaults(self, op_id: str, org_key: str | None, lot: dict[str, Any] | None = None) -> dict[str, Any]:
        """The values the operation's form starts with, for this acting org (and lot)."""
        org = self.org(org_key)
        context = DefaultContext(org_name=org.name, msp_by_role=self.msp_by_role(), lot=lot)
        return defaults(get_operation(op_id), context)
