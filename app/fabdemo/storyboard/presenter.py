"""The live presentation: which storyboard and scene the room is on, the timers, what ran.

One ``PresenterSession`` lives in the app. The presenter view drives it (select, run, let the
customer drive, skip, back, next, reset); the audience view follows it through the same event stream
and is only ever sent the public part of the state (no talk track).

One thing happens at a time: while a scene runs, waits for the customer or the demo is being reset,
``busy`` says so, and a request that would change the network in the middle of it (run, reset, the
customer's step) is refused with 409 ``BUSY`` (in English and Chinese), never interleaved.

One presenter drives at a time: the first machine that drives holds the wheel (``claim``); another
one is refused with 409 ``PRESENTER_TAKEN`` until the holder releases it or has been idle (no request,
nothing running) for :data:`DRIVER_IDLE_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fabdemo.service.errors import ServiceError
from fabdemo.storyboard import debrief
from fabdemo.storyboard.engine import SceneReport, StoryEngine, StoryRun
from fabdemo.storyboard.model import Scene, Storyboard, load_all
from fabdemo.storyboard.rehearse import SEEDED
from fabdemo.storyboard.template import TemplateError

CUSTOMER_WAIT_SECONDS = 600
# "${clerk.result.name}" -> "clerk": how a step's signer is shown before the step that makes it has run.
_PLACEHOLDER_STEP = re.compile(r"\$\{(\w+)\.[^}]*\}")
# A presenter who has not driven for this long (and has nothing running) can be taken over.
DRIVER_IDLE_SECONDS = 120.0

# busy -> what is under way, and what to do about it (English, Chinese)
BUSY_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "running": ("a scene is running", "wait for it to finish", "场景正在运行", "请等待其完成"),
    "waiting": (
        "the scene is waiting for the customer",
        "wait for the customer, or move to another scene to stop waiting",
        "场景正在等待客户操作",
        "请等待客户完成，或切换到其他场景以停止等待",
    ),
    "resetting": ("the demo is being reset", "wait for the reset to finish", "演示正在重置", "请等待重置完成"),
}


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
        self.busy: str | None = None  # "running" | "waiting" | "resetting" while something is under way
        self.reports: dict[str, SceneReport] = {}
        self.customer_done: set[str] = set()
        # For the debrief (storyboard/debrief.py): seconds spent per scene, how each customer step was
        # done, the value panel's inputs, and the debrief of the run before the last restart.
        self.scene_seconds: dict[str, float] = {}
        self.customer_tx: dict[str, dict[str, Any]] = {}
        self.value_inputs: dict[str, float] | None = None
        self.previous_debrief: dict[str, Any] | None = None
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._task: asyncio.Task[None] | None = None
        self.driver: str | None = None  # who drives (the presenter's machine), see claim()
        self.driver_seen = 0.0  # monotonic time of the driver's last request
        self.driver_idle_seconds = DRIVER_IDLE_SECONDS
        self.reload()

    # -- who drives ------------------------------------------------------------------------------------
    def claim(self, driver: str) -> None:
        """Let ``driver`` drive, unless another presenter does (409 PRESENTER_TAKEN, in both languages)."""
        now = time.monotonic()
        idle = now - self.driver_seen
        held_by_other = self.driver is not None and self.driver != driver
        if held_by_other and (self.busy is not None or idle < self.driver_idle_seconds):
            wait = max(0, int(self.driver_idle_seconds - idle) + 1)
            raise ServiceError(
                "PRESENTER_TAKEN",
                f"another presenter ({self.driver}) is driving this storyboard; ask them to release it, "
                f"or try again after {wait} s without activity",
                409,
                message_zh=(
                    f"另一位演示者（{self.driver}）正在控制此故事板；请对方释放控制权，或在其 {wait} 秒无操作后重试"
                ),
                params={"driver": self.driver or "", "retryAfter": str(wait)},
            )
        self.driver = driver
        self.driver_seen = now

    def release(self, driver: str) -> None:
        """The driver hands the wheel back (anyone else's release is ignored)."""
        if self.driver == driver:
            self.driver = None

    # -- storyboards -----------------------------------------------------------------------------------
    def reload(self) -> None:
        self.storyboards = {s.id: s for s in load_all(self.demos_dir)}

    def select(self, story_id: str) -> None:
        self._refuse_if_busy("choose a storyboard", "选择故事板", only=("resetting",))
        self._start(story_id)

    def _start(self, story_id: str) -> None:
        if story_id not in self.storyboards:
            known = ", ".join(sorted(self.storyboards))
            raise ServiceError("UNKNOWN_STORYBOARD", f"no storyboard {story_id!r}; known: {known}", 404)
        self._cancel_task()
        if self.story is not None and (self.reports or len(self.seconds_by_scene()) > 1):
            self.previous_debrief = debrief.build(self)  # a restart must not lose the last presentation
        self.story = self.storyboards[story_id]
        self.run = StoryRun(self.story)
        self.index = 0
        self.reports = {}
        self.customer_done = set()
        self.scene_seconds = {}
        self.customer_tx = {}
        self.value_inputs = None
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
        self._refuse_if_busy("change scenes", "切换场景", only=("resetting",))
        story, _run, _scene = self._require()
        if not 0 <= index < len(story.scenes):
            raise ServiceError("INVALID_ARGUMENT", f"scene {index + 1} does not exist", 422)
        self._cancel_task()
        self._leave_scene()
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
        self._refuse_if_busy("run the scene", "运行场景")
        self.busy = "running"
        self._publish()
        try:
            scene_without_customer = scene.model_copy(update={"customer": None, "expect": _own_expectations(scene)})
            report = await self.engine.run_scene(run, scene_without_customer, simulate_customer=False)
            self.reports[scene.id] = report
            return report
        finally:
            self.busy = None
            self._publish()

    def wait_for_customer(self) -> None:
        """Let the customer drive: wait (in the background) for their transaction to reach the ledger."""
        _story, run, scene = self._require()
        if scene.customer is None:
            raise ServiceError("NO_CUSTOMER_STEP", "this scene has no step for the customer", 409)
        self._refuse_if_busy("let the customer drive", "让客户操作")
        self.busy = "waiting"
        self._publish()

        async def wait() -> None:
            try:
                if await self.engine.wait_for_customer(run, scene, CUSTOMER_WAIT_SECONDS):
                    self.customer_done.add(scene.id)
                    self.customer_tx[scene.id] = {"how": "customer", **(self.engine.customer_tx(run, scene) or {})}
            finally:
                # A wait that was cancelled (the presenter moved on) no longer owns ``busy``: something
                # else may have started since.
                if self._task is asyncio.current_task():
                    self._task = None
                    self.busy = None
                    self._publish()

        self._task = asyncio.create_task(wait(), name="presenter-customer")

    async def simulate_customer(self) -> SceneReport:
        """Do the customer's step in their place (when nobody in the room wants to)."""
        _story, run, scene = self._require()
        if scene.customer is None:
            raise ServiceError("NO_CUSTOMER_STEP", "this scene has no step for the customer", 409)
        # Doing it for them replaces waiting for them; it never runs beside a scene or a reset.
        self._refuse_if_busy("do the customer's step", "代客户操作", only=("running", "resetting"))
        self._cancel_task()
        self.busy = "running"
        self._publish()
        try:
            customer_only = scene.model_copy(update={"actions": []})
            report = await self.engine.run_scene(run, customer_only, simulate_customer=True)
            if report.passed:
                self.customer_done.add(scene.id)
                self.customer_tx[scene.id] = {"how": "presenter", **(self.engine.customer_tx(run, scene) or {})}
            self.reports[f"{scene.id}:customer"] = report
            return report
        finally:
            self.busy = None
            self._publish()

    async def reset(self, snapshot: str = SEEDED) -> float:
        """Rewind the network to ``snapshot`` (``make reset``) and restart the storyboard from its first scene.

        Refused while a scene runs or waits for the customer; while it runs, the session is busy
        ("resetting"), so no scene can start. Returns the seconds the rewind took.
        """
        self._refuse_if_busy("reset the demo", "重置演示")
        self.busy = "resetting"
        self._publish()
        try:
            seconds = await self.engine.control.restore(snapshot)
            await self.engine.ledger.ledger_rewound()
            if self.story is not None:
                self._start(self.story.id)
            return seconds
        finally:
            self.busy = None
            self._publish()

    def _refuse_if_busy(self, action_en: str, action_zh: str, only: tuple[str, ...] | None = None) -> None:
        """409 BUSY if something is under way (of the kinds in ``only``, if given)."""
        if self.busy is None or (only is not None and self.busy not in only):
            return
        what, hint, what_zh, hint_zh = BUSY_TEXTS.get(self.busy, (self.busy, "wait", self.busy, "请稍候"))
        raise ServiceError(
            "BUSY",
            f"{what}: {hint}, then {action_en}",
            409,
            message_zh=f"{what_zh}：{hint_zh}，然后再{action_zh}",
        )

    def _cancel_task(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        if self.busy == "waiting":
            self.busy = None

    # -- the debrief ---------------------------------------------------------------------------------
    def _leave_scene(self) -> None:
        if self.scene is not None and self.scene_started_at is not None:
            spent = time.time() - self.scene_started_at
            self.scene_seconds[self.scene.id] = self.scene_seconds.get(self.scene.id, 0.0) + spent

    def seconds_by_scene(self) -> dict[str, float]:
        """Seconds spent on each scene shown so far, the current one up to now."""
        spent = dict(self.scene_seconds)
        if self.scene is not None and self.scene_started_at is not None:
            spent[self.scene.id] = spent.get(self.scene.id, 0.0) + time.time() - self.scene_started_at
        return spent

    def set_value_inputs(self, values: dict[str, float]) -> None:
        """The customer's own figures in the value panel (kept for the debrief)."""
        self._require()
        self.value_inputs = dict(values)

    def debrief(self) -> dict[str, Any]:
        return {**debrief.build(self), "previous": self.previous_debrief}

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
        state["driver"] = self.driver
        if self.story is None or self.scene is None:
            state["storyboards"] = _catalogue(self.storyboards.values())
            return state
        scene = self.scene
        next_scene = self.story.scenes[self.index + 1] if self.index + 1 < len(self.story.scenes) else None
        state.update(
            {
                "storyboards": _catalogue(self.storyboards.values()),
                "budgetMinutes": self.story.budget_minutes,
                "plannedMinutes": self.story.planned_minutes,
                "startedAt": self.started_at,
                "sceneStartedAt": self.scene_started_at,
                "sceneMinutes": scene.minutes,
                "minutesBefore": round(sum(s.minutes for s in self.story.scenes[: self.index]), 2),
                "talk": scene.talk.model_dump(),
                "code": scene.code,
                "actions": [
                    {
                        "id": a.id,
                        "op": a.op,
                        "control": a.control,
                        "org": a.org,
                        "user": self._user_label(a.user),
                        "expectError": a.expect_error,
                    }
                    for a in scene.actions
                ],
                # {en, zh} when the scene is for another kind of network (only_on), so the presenter knows
                # before running it; None when it runs here.
                "skipped": self.engine.skip_reason(scene),
                "next": {"title": next_scene.title.model_dump(), "minutes": next_scene.minutes} if next_scene else None,
                "report": self._report(scene.id),
                "customerReport": self._report(f"{scene.id}:customer"),
                "sceneList": [
                    {"id": s.id, "title": s.title.model_dump(), "minutes": s.minutes} for s in self.story.scenes
                ],
            }
        )
        return state

    def _user_label(self, user: str | None) -> str | None:
        """Who signs a step: the user's name once known, before that the step it comes from ("clerk")."""
        if user is None:
            return None
        return self._resolve(user) or _PLACEHOLDER_STEP.sub(r"\1", user)

    def _report(self, key: str) -> dict[str, Any] | None:
        report = self.reports.get(key)
        return report.to_dict() if report else None

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


def _own_expectations(scene: Scene) -> list[Any]:
    """Expectations about the scene's own actions (the customer's are checked when they act)."""
    own = {a.id for a in scene.actions}
    return [e for e in scene.expect if e.action in own]


def _catalogue(storyboards: Iterable[Storyboard]) -> list[dict[str, Any]]:
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
        for s in storyboards
    ]
