"""REST endpoints of the live presentation (storyboards): state, navigation, run, customer step, reset.

Driving the presentation (select, run, next, reset...) is allowed only to the presenter: a request from
the app's own machine (loopback, in the native runtime), or one that carries the presenter token (the
``fabdemo_presenter`` cookie, set when the presenter view is opened from loopback or with
``/present?presenter=<token>``; or the ``x-fabdemo-presenter`` header). The token is kept in
``.state/app/presenter.token`` (owner-only), so it also works under Compose, where the presenter's
browser reaches the app container from the Docker bridge gateway, not from 127.0.0.1. People in the
room who joined with the room token can follow and act as customers, but cannot drive.

Only one presenter machine drives at a time (``PresenterSession.claim``): another gets 409
``PRESENTER_TAKEN`` until the first releases (``POST /api/presenter/release``) or is idle.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from fabdemo.api.config import LOOPBACK_HOSTS
from fabdemo.api.deps import PresenterDep
from fabdemo.api.schemas import ERROR_RESPONSES, media_response
from fabdemo.api.sse import sse_response
from fabdemo.service import ServiceError
from fabdemo.storyboard import debrief
from fabdemo.storyboard.presenter import PresenterSession
from fabdemo.storyboard.template import TemplateError

router = APIRouter(prefix="/api/presenter", tags=["presenter"], responses=ERROR_RESPONSES)
PRESENTER_COOKIE = "fabdemo_presenter"
PRESENTER_HEADER = "x-fabdemo-presenter"


def presenter_token_file(state_dir: Path) -> Path:
    return state_dir / "app" / "presenter.token"


def load_presenter_token(state_dir: Path) -> str:
    """The presenter token of this state dir, created (readable by its owner only) on first use."""
    path = presenter_token_file(state_dir)
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(18)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token


def holds_presenter_token(request: Request) -> bool:
    token: str = request.app.state.presenter_token
    supplied = request.cookies.get(PRESENTER_COOKIE) or request.headers.get(PRESENTER_HEADER) or ""
    return bool(supplied) and hmac.compare_digest(supplied.encode(), token.encode())


def from_presenter_machine(request: Request) -> bool:
    host = request.client.host if request.client else ""
    return request.app.state.config.trust_loopback and host in LOOPBACK_HOSTS


def driver_of(request: Request) -> str:
    """Who drives: the presenter's machine, by its address."""
    return request.client.host if request.client else "unknown"


class Selection(BaseModel):
    storyboard: str


class SceneJump(BaseModel):
    # Strict: true/false are not scene numbers. The upper bound depends on the storyboard (422 beyond it).
    index: int = Field(..., ge=0, strict=True, description="0-based scene index")


class NoArguments(BaseModel):
    """The actions without arguments take ``{}`` or no body at all (see :mod:`fabdemo.api.security`)."""

    model_config = ConfigDict(extra="forbid")


def presenter_only(request: Request) -> None:
    if not (from_presenter_machine(request) or holds_presenter_token(request)):
        raise ServiceError(
            "PRESENTER_ONLY",
            "only the presenter can drive the storyboard (open /present on the presenter's machine)",
            403,
            message_zh="只有演示者可以控制故事板（请在演示者的电脑上打开 /present）",
        )


def driving(request: Request, session: PresenterDep) -> None:
    """A presenter who drives claims the session (409 PRESENTER_TAKEN if another one holds it)."""
    session.claim(driver_of(request))


PRESENTER_ONLY = [Depends(presenter_only)]  # resolved before the session itself
DRIVES = [Depends(presenter_only), Depends(driving)]


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


@router.post("/select", dependencies=DRIVES, summary="Start a storyboard from its first scene")
async def select(session: PresenterDep, body: Selection) -> dict[str, Any]:
    return _drive(session, lambda s: s.select(body.storyboard))


@router.post("/go", dependencies=DRIVES, summary="Jump to a scene (0-based index)")
async def go(session: PresenterDep, body: SceneJump) -> dict[str, Any]:
    return _drive(session, lambda s: s.go(body.index))


@router.post("/next", dependencies=DRIVES, summary="Next scene (also: skip the current one)")
async def next_scene(session: PresenterDep, _body: NoArguments | None = None) -> dict[str, Any]:
    return _drive(session, PresenterSession.next)


@router.post("/back", dependencies=DRIVES, summary="Previous scene")
async def back(session: PresenterDep, _body: NoArguments | None = None) -> dict[str, Any]:
    return _drive(session, PresenterSession.back)


@router.post(
    "/customer",
    dependencies=DRIVES,
    summary="Let the customer drive: wait for their transaction on the ledger (409 BUSY while anything runs)",
)
async def customer(session: PresenterDep, _body: NoArguments | None = None) -> dict[str, Any]:
    return _drive(session, PresenterSession.wait_for_customer)


@router.post(
    "/run",
    dependencies=DRIVES,
    summary="Run the current scene's actions on the live network (409 BUSY while a scene or a reset runs)",
)
async def run(session: PresenterDep, _body: NoArguments | None = None) -> dict[str, Any]:
    await session.run_scene()
    return session.presenter_state()


@router.post(
    "/customer/simulate",
    dependencies=DRIVES,
    summary="Do the customer's step in their place (409 BUSY while a scene or a reset runs)",
)
async def simulate(session: PresenterDep, _body: NoArguments | None = None) -> dict[str, Any]:
    try:
        await session.simulate_customer()
    except TemplateError as err:  # the customer's step refers to an action of the scene that has not run
        raise ServiceError(
            "SCENE_NOT_RUN",
            f"run the scene first: the customer's step needs its results ({err})",
            409,
            message_zh=f"请先运行场景：客户步骤需要其结果（{err}）",
        ) from None
    return session.presenter_state()


@router.post(
    "/reset",
    dependencies=DRIVES,
    summary="Rewind the network to the seeded state (make reset) and restart the storyboard",
    description=(
        "Refused with 409 `BUSY` (message in English and Chinese) while a scene runs or waits for the "
        "customer; while the reset runs, no scene can start."
    ),
)
async def reset(session: PresenterDep, _body: NoArguments | None = None) -> dict[str, Any]:
    seconds = await session.reset()
    return {"resetSeconds": round(seconds, 2), **session.presenter_state()}


@router.post(
    "/release",
    dependencies=PRESENTER_ONLY,
    summary="Stop driving: another presenter machine may take over at once",
)
async def release(request: Request, session: PresenterDep, _body: NoArguments | None = None) -> dict[str, Any]:
    session.release(driver_of(request))
    return session.presenter_state()


class ValueInputs(BaseModel):
    """The value panel's fields, as the customer filled them in (present.js)."""

    model_config = ConfigDict(extra="forbid")
    recalls: float = Field(..., ge=0, le=1e6, description="recalls or quality incidents per year")
    cost: float = Field(..., ge=0, le=1e12, description="cost of one recall")
    days: float = Field(..., ge=0, le=3650, description="days to trace a lot today")
    share: float = Field(..., ge=0, le=100, description="share of pulled product that was not affected (%)")
    counterfeit: float = Field(..., ge=0, le=1e12, description="revenue lost to counterfeits per year")
    cut: float = Field(..., ge=0, le=100, description="counterfeit loss avoided by QR verification (%)")


@router.post("/value", dependencies=DRIVES, summary="Keep the customer's value panel figures (for the debrief)")
async def value(session: PresenterDep, body: ValueInputs) -> dict[str, Any]:
    session.set_value_inputs(body.model_dump())
    return {"inputs": session.value_inputs, "saving": round(debrief.value_saving(body.model_dump()), 2)}


@router.get(
    "/debrief",
    dependencies=PRESENTER_ONLY,
    summary="After the presentation: scene times against budget, customer steps, value figures, draft criteria",
)
async def debrief_view(session: PresenterDep) -> dict[str, Any]:
    return session.debrief()


@router.get(
    "/debrief/criteria.yaml",
    dependencies=PRESENTER_ONLY,
    response_class=Response,
    responses=media_response("application/yaml", "a draft poc/criteria.yaml"),
    summary="The debrief's draft poc/criteria.yaml, as a download",
)
async def debrief_criteria(session: PresenterDep) -> PlainTextResponse:
    found = session.debrief()
    if found["storyboard"] is None:
        raise ServiceError("NO_STORYBOARD", "choose a storyboard first", 409, message_zh="请先选择故事板")
    filename = f"criteria-{found['storyboard']['id']}.yaml"
    return PlainTextResponse(
        found["criteriaYaml"],
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses=media_response("text/event-stream", "the event stream"),
    summary="Server-Sent Events: `presenter` whenever the scene or its status changes",
)
async def events(request: Request, session: PresenterDep) -> StreamingResponse:
    queue = session.subscribe()
    return sse_response(
        request,
        queue,
        lambda: session.unsubscribe(queue),
        first=("presenter", session.public_state()),
        pick=lambda message: ("presenter", message["state"]),
    )
