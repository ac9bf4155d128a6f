"""Room-mode guests with identities of their own (IDENTITIES=ca).

Someone who joins the room (``/join``) is registered and enrolled on the spot with the retailer's
Fabric CA, as a client with a ``role=consumer`` attribute (``/join?...&as=auditor`` for an auditor), and
gets a guest cookie. Their transactions as the retailer are then signed with their own certificate
(``LedgerService.perform(..., user=...)``), so the live ledger shows their name, and the presenter can
revoke them live (``POST /api/identities/retail/<guest>/revoke`` or ``make revoke``): their next
transaction is refused. Without CA identities joining works as before and guests act as the org's
app user.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field

from fastapi import Request

from fabdemo.network.manager import FabricNetwork
from fabdemo.service.errors import ServiceError
from fabdemo.service.identities import IdentityService

GUEST_COOKIE = "fabdemo_guest"
GUEST_ORG = "retail"  # the retailer's app is where the public acts (scans, authenticity checks)
GUEST_ROLES = ("consumer", "auditor")
log = logging.getLogger("fabdemo.guests")


@dataclass(frozen=True)
class Guest:
    org: str
    name: str
    role: str


@dataclass
class GuestBook:
    """The guests of this app process, by the secret in their cookie."""

    guests: dict[str, Guest] = field(default_factory=dict)

    def of(self, request: Request) -> Guest | None:
        token = request.cookies.get(GUEST_COOKIE) or ""
        return self.guests.get(token) if token else None

    async def enroll(self, network: FabricNetwork, role: str) -> tuple[str, Guest] | None:
        """Register and enroll a new guest; None when the network has no CA identities (nothing to do)."""
        service = IdentityService(network)
        if not service.enabled:
            return None
        role = role if role in GUEST_ROLES else GUEST_ROLES[0]
        name = f"guest-{secrets.token_hex(3)}"
        try:
            await asyncio.to_thread(service.register, GUEST_ORG, name, f"role={role}")
        except ServiceError as err:  # joining still works: the guest then acts as the org's app user
            log.warning("could not enroll guest %s: %s", name, err)
            return None
        token = secrets.token_urlsafe(18)
        guest = Guest(GUEST_ORG, name, role)
        self.guests[token] = guest
        return token, guest


def guest_book(request: Request) -> GuestBook:
    book = getattr(request.app.state, "guests", None)
    if book is None:
        book = request.app.state.guests = GuestBook()
    return book


def acting_user(request: Request, org: str) -> str | None:
    """The guest's own user when a guest acts for their org, else None (the org's app user signs)."""
    guest = guest_book(request).of(request)
    if guest is None:
        return None
    network = request.app.state.network
    try:
        wanted = network.topology.peer_org(org).key
    except KeyError:
        return None
    return guest.name if wanted == guest.org else None
