"""The live presentation: which storyboard and scene the room is on, the timers, what ran.

One ``PresenterSession`` lives in the app. The presenter view drives it (select, run, let the
customer drive, skip, back, next); the audience view follows it through the same event stream and is
only ever sent the public part of the state (no talk track).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

from fabdemo.service.errors import ServiceError
from fabdemo.storyboard.engine import SceneReport, StoryEngine, StoryRun
from fabdemo.storyboard.model import Scene, Storyboard, load_all
from fabdemo.storyboard.template import TemplateError

CUSTOMER_WAIT_SECONDS = 600


class PresenterSession:
    def __init__(self, engine: StoryEngine, demos_dir: Path) -> None:
        self.engine = engine
        self.demos_dir = demos_dir
        self.storyboards: dict[str, Storyboard] = {}
        self.story: Storyboard | None = None
        self.run: StoryRun | None = None
        self.index = 0
        self.started_at: float | None = None  # wall clock (epoch seconds) when the storyboard started
        self.scene_started_at: float | None = None
        self.busy: str | None = None  # "running" | "waiting" while an action is under way
        self.reports: dict[str, SceneReport] = {}
        self.customer_done: set[str] = set()
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._task: asyncio.Task[None] | None = None
        self.reload()

    # -- storyboards -----------------------------------------------------------------------------------
    def reload(self) -> None:
        self.storyboards = {s.id: s for s in load_all(self.demos_dir)}

    def select(self, story_id: str) -> None:
        if story_id not in self.storyboards:
            known = ", ".join(sorted(self.storyboards))
            raise ServiceError("UNKNOWN_STORYBOARD", f"no storyboard {story_id!r}; known: {known}", 404)
        self._cancel_task()
        self.story = self.storyboards[story_id]
        self.run = StoryRun(self.story)
        self.index = 0
        self.reports = {}
        self.customer_done = set()
        now = time.time()
        self.started_at = now
        self.scene_started_at = now
        self._publish()

    @property
    def scene(self) -> Scene | None:
        return self.story.scenes[self.index] if self.story else None

    def _require(self) -> tuple[Storyboard, StoryRun, Scene]:
        if self.story is None or self.run is None or self.scene is None:
            raise ServiceError("NO_STORYBOARD", "choose a storyboard first", 409)
        return self.story, self.run, self.scene

    # -- navigation ----------------------------------------------------------------------------------
    def go(self, index: int) -> None:
        story, _run, _scene = self._require()
        if not 0 <= index < len(story.scenes):
            raise ServiceError("INVALID_ARGUMENT", f"scene {index + 1} does not exist", 422)
        self._cancel_task()
        self.index = index
        self.scene_started_at = time.time()
        self._publish()

    def next(self) -> None:
        story, _r, _s = self._require()
        self.go(min(self.index + 1, len(story.scenes) - 1))

    def back(self) -> None:
        self._require()
        self.go(max(self.index - 1, 0))

    # -- running -------------------------------------------------------------------------------------
    async def run_scene(self) -> SceneReport:
        """Run the current scene's actions (a customer step, if any, is left to the customer)."""
        _story, run, scene = self._require()
        if self.busy:
            raise ServiceError("BUSY", f"the scene is {self.busy}; wait for it to finish", 409)
        self.busy = "running"
        self._publish()
        try:
            scene_without_customer = scene.model_copy(
                update={"customer": None, "expect": self._own_expectations(scene)}
            )
            report = await self.engine.run_scene(run, scene_without_customer, simulate_customer=False)
            self.reports[scene.id] = report
            return report
        finally:
            self.busy = None
            self._publish()

    @staticmethod
    def _own_expectations(scene: Scene) -> list[Any]:
        """Expectations about the scene's own actions (the customer's are checked when they act)."""
        own = {a.id for a in scene.actions}
        return [e for e in scene.expect if e.action in own]

    def wait_for_customer(self) -> None:
        """Let the customer drive: wait (in the background) for their transaction to reach the ledger."""
        _story, run, scene = self._require()
        if scene.customer is None:
            raise ServiceError("NO_CUSTOMER_STEP", "this scene has no step for the customer", 409)
        if self.busy:
            raise ServiceError("BUSY", f"the scene is {self.busy}", 409)
        self.busy = "waiting"
        self._publish()

        async def wait() -> None:
            try:
                if await self.engine.wait_for_customer(run, scene, CUSTOMER_WAIT_SECONDS):
                    self.customer_done.add(scene.id)
            finally:
                self.busy = None
                self._publish()

        self._task = asyncio.create_task(wait(), name="presenter-customer")

    async def simulate_customer(self) -> SceneReport:
        """Do the customer's step in their place (when nobody in the room wants to)."""
        _story, run, scene = self._require()
        if scene.customer is None:
            raise ServiceError("NO_CUSTOMER_STEP", "this scene has no step for the customer", 409)
        self._cancel_task()
        self.busy = "running"
        self._publish()
        try:
            customer_only = scene.model_copy(update={"actions": []})
            report = await self.engine.run_scene(run, customer_only, simulate_customer=True)
            if report.passed:
                self.customer_done.add(scene.id)
            self.reports[f"{scene.id}:customer"] = report
            return report
        finally:
            self.busy = None
            self._publish()

    def _cancel_task(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        if self.busy == "waiting":
            self.busy = None

    # -- state for the views ---------------------------------------------------------------------------
    def _resolve(self, value: str) -> str | None:
        if self.run is None:
            return None
        try:
            return str(self.run.resolve(value))
        except TemplateError:
            return None  # refers to an action that has not run yet

    def public_state(self) -> dict[str, Any]:
        """What the audience may see: titles, the page, the customer's prompt; never the talk track."""
        if self.story is None or self.scene is None:
            return {"storyboard": None}
        scene = self.scene
        customer = None
        if scene.customer:
            customer = {
                "prompt": scene.customer.prompt.model_dump(),
                "page": self._resolve(scene.customer.page),
                "done": scene.id in self.customer_done,
            }
        return {
            "storyboard": {
                "id": self.story.id,
                "title": self.story.title.model_dump(),
                "scenes": len(self.story.scenes),
            },
            "index": self.index,
            "scene": {
                "id": scene.id,
                "title": scene.title.model_dump(),
                "page": self._resolve(scene.page) or "/",
                "panel": scene.panel,
            },
            "customer": customer,
            "busy": self.busy,
        }

    def presenter_state(self) -> dict[str, Any]:
        state = self.public_state()
        if self.story is None or self.scene is None:
            state["storyboards"] = self.catalogue()
            return state
        scene = self.scene
        next_scene = self.story.scenes[self.index + 1] if self.index + 1 < len(self.story.scenes) else None
        state.update(
            {
                "storyboards": self.catalogue(),
                "budgetMinutes": self.story.budget_minutes,
                "plannedMinutes": self.story.planned_minutes,
                "startedAt": self.started_at,
                "sceneStartedAt": self.scene_started_at,
                "sceneMinutes": scene.minutes,
                "minutesBefore": round(sum(s.minutes for s in self.story.scenes[: self.index]), 2),
                "talk": scene.talk.model_dump(),
                "code": scene.code,
                "actions": [
                    {"id": a.id, "op": a.op, "control": a.control, "org": a.org, "expectError": a.expect_error}
                    for a in scene.actions
                ],
                "next": {"title": next_scene.title.model_dump(), "minutes": next_scene.minutes} if next_scene else None,
                "report": self._report(scene.id),
                "customerReport": self._report(f"{scene.id}:customer"),
                "sceneList": [
                    {"id": s.id, "title": s.title.model_dump(), "minutes": s.minutes} for s in self.story.scenes
                ],
            }
        )
        return state

    def _report(self, key: str) -> dict[str, Any] | None:
        report = self.reports.get(key)
        return report.to_dict() if report else None

    def catalogue(self) -> list[dict[str, Any]]:
        return [
            {
                "id": s.id,
                "audience": s.audience,
                "title": s.title.model_dump(),
                "summary": s.summary.model_dump(),
                "budgetMinutes": s.budget_minutes,
                "plannedMinutes": s.planned_minutes,
                "scenes": len(s.scenes),
            }
            for s in self.storyboards.values()
        ]

    # -- live updates --------------------------------------------------------------------------------
    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=50)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers.discard(queue)

    def _publish(self) -> None:
        message = {"type": "presenter", "state": self.public_state()}
        for queue in list(self._subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(message)
