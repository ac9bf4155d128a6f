"""REST endpoints of the live presentation (storyboards): state, navigation, run, customer step, reset.

Driving the presentation (select, run, next, reset...) is allowed only from the presenter's own machine
(loopback): people in the room who joined with the token can follow it and act as customers, but
cannot click through the presenter's scenes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from fabdemo.api.config import LOOPBACK_HOSTS
from fabdemo.api.deps import PresenterDep
from fabdemo.api.sse import sse_response
from fabdemo.service import ServiceError
from fabdemo.storyboard.presenter import PresenterSession

router = APIRouter(prefix="/api/presenter", tags=["presenter"])


class Selection(BaseModel):
    storyboard: str


class SceneJump(BaseModel):
    index: int


def presenter_only(request: Request) -> None:
    host = request.client.host if request.client else ""
    if host not in LOOPBACK_HOSTS:
        raise ServiceError(
            "PRESENTER_ONLY",
            "only the presenter's machine can drive the storyboard",
            403,
            message_zh="只有演示者的电脑可以控制故事板",
        )


PRESENTER_ONLY = [Depends(presenter_only)]  # resolved before the session itself


@router.get(
    "/state",
    dependencies=PRESENTER_ONLY,
    summary="Presenter state: scene, talk track, timers, last run (presenter machine only)",
)
async def state(session: PresenterDep) -> dict[str, Any]:
    return session.presenter_state()


@router.get("/public", summary="What the audience sees: scene title, page, customer prompt (no talk track)")
async def public(session: PresenterDep) -> dict[str, Any]:
    return session.public_state()


def _drive(session: PresenterSession, action: Callable[[PresenterSession], None]) -> dict[str, Any]:
    action(session)
    return session.presenter_state()


@router.post("/select", dependencies=PRESENTER_ONLY, summary="Start a storyboard from its first scene")
async def select(session: PresenterDep, body: Selection) -> dict[str, Any]:
    return _drive(session, lambda s: s.select(body.storyboard))


@router.post("/go", dependencies=PRESENTER_ONLY, summary="Jump to a scene (0-based index)")
async def go(session: PresenterDep, body: SceneJump) -> dict[str, Any]:
    return _drive(session, lambda s: s.go(body.index))


@router.post("/next", dependencies=PRESENTER_ONLY, summary="Next scene (also: skip the current one)")
async def next_scene(session: PresenterDep) -> dict[str, Any]:
    return _drive(session, PresenterSession.next)


@router.post("/back", dependencies=PRESENTER_ONLY, summary="Previous scene")
async def back(session: PresenterDep) -> dict[str, Any]:
    return _drive(session, PresenterSession.back)


@router.post(
    "/customer",
    dependencies=PRESENTER_ONLY,
    summary="Let the customer drive: wait for their transaction on the ledger (409 BUSY while anything runs)",
)
async def customer(session: PresenterDep) -> dict[str, Any]:
    return _drive(session, PresenterSession.wait_for_customer)


@router.post(
    "/run",
    dependencies=PRESENTER_ONLY,
    summary="Run the current scene's actions on the live network (409 BUSY while a scene or a reset runs)",
)
async def run(session: PresenterDep) -> dict[str, Any]:
    await session.run_scene()
    return session.presenter_state()


@router.post(
    "/customer/simulate",
    dependencies=PRESENTER_ONLY,
    summary="Do the customer's step in their place (409 BUSY while a scene or a reset runs)",
)
async def simulate(session: PresenterDep) -> dict[str, Any]:
    await session.simulate_customer()
    return session.presenter_state()


@router.post(
    "/reset",
    dependencies=PRESENTER_ONLY,
    summary="Rewind the network to the seeded state (make reset) and restart the storyboard",
    description=(
        "Refused with 409 `BUSY` (message in English and Chinese) while a scene runs or waits for the "
        "customer; while the reset runs, no scene can start."
    ),
)
async def reset(session: PresenterDep) -> dict[str, Any]:
    seconds = await session.reset()
    return {"resetSeconds": round(seconds, 2), **session.presenter_state()}


@router.get("/events", summary="Server-Sent Events: `presenter` whenever the scene or its status changes")
async def events(request: Request, session: PresenterDep) -> StreamingResponse:
    queue = session.subscribe()
    return sse_response(
        request,
        queue,
        lambda: session.unsubscribe(queue),
        first=("presenter", session.public_state()),
        pick=lambda message: ("presenter", message["state"]),
    )
