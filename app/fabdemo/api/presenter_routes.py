"""REST endpoints of the live presentation (storyboards): state, navigation, run, customer step, reset.

Driving the presentation (select, run, next, reset...) is allowed only from the presenter's own machine
(loopback): people in the room who joined with the token can follow it and act as customers, but
cannot click through the presenter's scenes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from fabdemo import context
from fabdemo.api.config import LOOPBACK_HOSTS
from fabdemo.api.sse import sse_response
from fabdemo.service import ServiceError
from fabdemo.storyboard.control import FabricControl
from fabdemo.storyboard.engine import StoryEngine
from fabdemo.storyboard.presenter import PresenterSession

router = APIRouter(prefix="/api/presenter", tags=["presenter"])


class Selection(BaseModel):
    storyboard: str


class SceneJump(BaseModel):
    index: int


def network_of(request: Request):
    """The FabricNetwork of the app's settings (node control, snapshots), opened once."""
    app = request.app
    if getattr(app.state, "network", None) is None:
        app.state.network = context.open_network(app.state.settings)
    return app.state.network


def session_of(request: Request) -> PresenterSession:
    app = request.app
    if getattr(app.state, "presenter", None) is None:
        settings = app.state.settings
        engine = StoryEngine(
            app.state.service, FabricControl(network_of(request), settings.repo_root), settings.repo_root
        )
        app.state.presenter = PresenterSession(engine, settings.repo_root / "demos")
    return app.state.presenter


def _presenter_only(request: Request) -> None:
    host = request.client.host if request.client else ""
    if host not in LOOPBACK_HOSTS:
        raise ServiceError(
            "PRESENTER_ONLY",
            "only the presenter's machine can drive the storyboard",
            403,
            message_zh="只有演示者的电脑可以控制故事板",
        )


@router.get("/state", summary="Presenter state: scene, talk track, timers, last run (presenter machine only)")
async def state(request: Request) -> dict[str, Any]:
    _presenter_only(request)
    return session_of(request).presenter_state()


@router.get("/public", summary="What the audience sees: scene title, page, customer prompt (no talk track)")
async def public(request: Request) -> dict[str, Any]:
    return session_of(request).public_state()


def _drive(request: Request, action: Callable[[PresenterSession], None]) -> dict[str, Any]:
    _presenter_only(request)
    session = session_of(request)
    action(session)
    return session.presenter_state()


@router.post("/select", summary="Start a storyboard from its first scene")
async def select(request: Request, body: Selection) -> dict[str, Any]:
    return _drive(request, lambda s: s.select(body.storyboard))


@router.post("/go", summary="Jump to a scene (0-based index)")
async def go(request: Request, body: SceneJump) -> dict[str, Any]:
    return _drive(request, lambda s: s.go(body.index))


@router.post("/next", summary="Next scene (also: skip the current one)")
async def next_scene(request: Request) -> dict[str, Any]:
    return _drive(request, PresenterSession.next)


@router.post("/back", summary="Previous scene")
async def back(request: Request) -> dict[str, Any]:
    return _drive(request, PresenterSession.back)


@router.post("/customer", summary="Let the customer drive: wait for their transaction on the ledger")
async def customer(request: Request) -> dict[str, Any]:
    return _drive(request, PresenterSession.wait_for_customer)


@router.post("/run", summary="Run the current scene's actions on the live network")
async def run(request: Request) -> dict[str, Any]:
    _presenter_only(request)
    session = session_of(request)
    await session.run_scene()
    return session.presenter_state()


@router.post("/customer/simulate", summary="Do the customer's step in their place")
async def simulate(request: Request) -> dict[str, Any]:
    _presenter_only(request)
    session = session_of(request)
    await session.simulate_customer()
    return session.presenter_state()


@router.post("/reset", summary="Rewind the network to the seeded state (make reset) and restart the storyboard")
async def reset(request: Request) -> dict[str, Any]:
    _presenter_only(request)
    network = network_of(request)
    if not network.has_snapshot("seeded"):
        raise ServiceError("NO_SNAPSHOT", "no seeded snapshot: start the demo with `make demo`", 409)
    seconds = await asyncio.to_thread(network.restore_snapshot, "seeded", lambda _m: None)
    await request.app.state.service.ledger_rewound()
    session = session_of(request)
    if session.story is not None:
        session.select(session.story.id)
    return {"resetSeconds": round(seconds, 2), **session.presenter_state()}


@router.get("/events", summary="Server-Sent Events: `presenter` whenever the scene or its status changes")
async def events(request: Request) -> StreamingResponse:
    session = session_of(request)
    queue = session.subscribe()
    return sse_response(
        request,
        queue,
        lambda: session.unsubscribe(queue),
        first=("presenter", session.public_state()),
        pick=lambda message: ("presenter", message["state"]),
    )
