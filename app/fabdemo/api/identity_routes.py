"""REST endpoints of the identity lifecycle (IDENTITIES=ca): list, register, revoke, re-enroll users.

They call :class:`fabdemo.service.identities.IdentityService`, the code path of ``make user`` and
friends. Changing identities is the presenter's business (as driving the storyboard is): a request from
the presenter's machine or with the presenter token. The CA and channel calls block for a second or
two, so they run in a worker thread.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from fabdemo.api.deps import NetworkDep, ServiceDep
from fabdemo.api.presenter_routes import PRESENTER_ONLY
from fabdemo.api.schemas import ERROR_RESPONSES
from fabdemo.service.identities import IdentityService

router = APIRouter(prefix="/api/identities", tags=["identities"], responses=ERROR_RESPONSES)


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org: str = Field(..., description="org key or MSP id, e.g. retail")
    name: str = Field(..., description="user name, e.g. alice")
    attrs: str = Field("", description="attributes in the certificate, e.g. role=inspector (roles joined by +)")


@router.get("", dependencies=PRESENTER_ONLY, summary="Users registered with the orgs' Fabric CAs")
async def list_users(network: NetworkDep, org: str | None = None) -> dict[str, Any]:
    service = IdentityService(network)
    users = await asyncio.to_thread(service.users, org)
    return {"users": [u.to_dict() for u in users]}


@router.post("", dependencies=PRESENTER_ONLY, status_code=201, summary="Register and enroll a user")
async def register_user(network: NetworkDep, body: NewUser) -> dict[str, Any]:
    service = IdentityService(network)
    return (await asyncio.to_thread(service.register, body.org, body.name, body.attrs)).to_dict()


@router.post(
    "/{org}/{name}/revoke",
    dependencies=PRESENTER_ONLY,
    summary="Revoke a user: the CA's CRL goes into the org's MSP in the channel config",
)
async def revoke_user(network: NetworkDep, org: str, name: str) -> dict[str, Any]:
    service = IdentityService(network)
    return await asyncio.to_thread(service.revoke, org, name)


@router.post("/{org}/{name}/reenroll", dependencies=PRESENTER_ONLY, summary="A fresh certificate for a user")
async def reenroll_user(network: NetworkDep, ledger: ServiceDep, org: str, name: str) -> dict[str, Any]:
    service = IdentityService(network)
    user = await asyncio.to_thread(service.reenroll, org, name)
    # the app's open connection for this user still signs with the old certificate: open a new one
    await ledger.gateways.forget(network.topology.peer_org(user.org), user.name)
    return user.to_dict()
