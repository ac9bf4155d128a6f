"""One thing at a time in the presenter: a reset asked for while a scene runs (or waits for the customer)
is refused with 409 BUSY in English and Chinese and resets nothing; no scene starts while a reset runs.

No Fabric network: the app is built over fakes (the network through ``dependency_overrides``), and
building it must not open or start one.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fabdemo import context
from fabdemo.api.app import create_app
from fabdemo.api.deps import get_network, get_service
from fabdemo.settings import Settings
from fabdemo.storyboard.control import FabricControl

TIMEOUT = 5.0
STORYBOARD = """
id: busy
audience: general
budget_minutes: 5
title: {en: "Busy", zh: "忙"}
summary: {en: "A scene that takes its time", zh: "一个需要时间的场景"}
scenes:
  - id: slow
    title: {en: "Slow", zh: "慢"}
    minutes: 1
    talk: {en: "Wait for it.", zh: "稍等。"}
    actions:
      - {id: harvest, op: harvest, org: farm, args: {lotId: LOT-1}}
  - id: yours
    title: {en: "Your turn", zh: "轮到您"}
    minutes: 1
    talk: {en: "Let them scan it.", zh: "请客户扫码。"}
    customer:
      prompt: {en: "Scan the code", zh: "扫码"}
      page: /c/LOT-1
      wait_for: {event: AuthenticityChecked, match: {lotId: LOT-1}}
      simulate: {id: scan, op: authenticity, args: {lotId: LOT-1}}
"""


class FakeNetwork:
    """Records what is asked of it; it can hold a restore until the test lets it finish."""

    def __init__(self, *, snapshot: bool = True) -> None:
        self.snapshot = snapshot
        self.asked: list[str] = []  # every attribute anyone looked up that this fake does not have
        self.restores: list[str] = []
        self.restore_started = threading.Event()
        self.hold = threading.Event()
        self.hold.set()

    def has_snapshot(self, name: str) -> bool:
        return self.snapshot

    def restore_snapshot(self, name: str, progress: Any) -> float:
        self.restore_started.set()
        assert self.hold.wait(10), "the test never let the restore finish"
        self.restores.append(name)
        return 1.25

    def __getattr__(self, name: str) -> Any:  # up, start_node, status, add_org, ...: none may be used
        self.asked.append(name)
        raise AttributeError(name)


class FakeFollower:
    def __init__(self) -> None:
        self.queues: set[asyncio.Queue[dict[str, Any]]] = set()

    def subscribe(self, *, lossless: bool = False) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self.queues.discard(queue)


class FakeLedger:
    """The service as the storyboard engine uses it; ``perform`` waits until the test releases it."""

    def __init__(self) -> None:
        self.follower = FakeFollower()
        self.performed: list[str] = []
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.rewound = 0

    async def perform(self, org: str | None, op_id: str, args: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.performed.append(op_id)
        self.entered.set()
        await self.release.wait()
        return {"operation": op_id, "args": args, "result": {"ok": True}, "proof": None}

    async def ledger_rewound(self) -> None:
        self.rewound += 1


@pytest.fixture
def no_network_may_open(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: Any, **_k: Any) -> None:
        raise AssertionError("the app opened a Fabric network of its own")

    monkeypatch.setattr(context, "open_network", refuse)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "demos").mkdir()
    (tmp_path / "demos" / "busy.story.yaml").write_text(STORYBOARD, encoding="utf-8")
    return Settings(repo_root=tmp_path, state_dir=tmp_path / "state")


class Room:
    def __init__(self, settings: Settings) -> None:
        self.unused = FakeNetwork()  # what create_app is built with; the override replaces it
        self.network = FakeNetwork()
        self.ledger = FakeLedger()
        self.app = create_app(settings, network=self.unused, follow_blocks=False)
        self.app.dependency_overrides[get_network] = lambda: self.network
        self.app.dependency_overrides[get_service] = lambda: self.ledger

    def client(self) -> Presenter:
        return Presenter(self.app)


class Presenter:
    """An HTTP client on the presenter's machine whose requests fail (never hang) after a few seconds."""

    def __init__(self, app: Any) -> None:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        self._client = httpx.AsyncClient(transport=transport, base_url="http://presenter")

    async def __aenter__(self) -> Presenter:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def get(self, path: str) -> httpx.Response:
        return await asyncio.wait_for(self._client.get(path), TIMEOUT)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await asyncio.wait_for(self._client.post(path, **kwargs), TIMEOUT)


@pytest.fixture
def room(settings: Settings, no_network_may_open: None) -> Iterator[Room]:
    room = Room(settings)
    yield room
    room.ledger.release.set()
    room.network.hold.set()
    assert room.unused.asked == [] and room.unused.restores == []  # built over it, never used
    assert not {"up", "start_node", "stop_node", "add_org", "status"} & set(room.network.asked)


def assert_busy(response: httpx.Response, *words: str) -> dict[str, Any]:
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "BUSY"
    assert error["message"] and error["message_zh"] and error["message"] != error["message_zh"]
    for word in words:
        assert word in error["message"] or word in error["message_zh"], (word, error)
    return error


async def test_a_reset_while_a_scene_runs_is_refused_and_resets_nothing(room: Room) -> None:
    async with room.client() as presenter:
        assert (await presenter.post("/api/presenter/select", json={"storyboard": "busy"})).status_code == 200
        running = asyncio.create_task(presenter.post("/api/presenter/run"))
        await asyncio.wait_for(room.ledger.entered.wait(), 5)  # the scene's action is under way

        assert_busy(await presenter.post("/api/presenter/reset"), "a scene is running", "reset", "重置演示")
        assert room.network.restores == [] and not room.network.restore_started.is_set()
        assert room.ledger.rewound == 0
        assert (await presenter.get("/api/presenter/state")).json()["busy"] == "running"
        assert_busy(await presenter.post("/api/presenter/run"), "running")  # nor a second run beside it

        room.ledger.release.set()
        ran = await running
        assert ran.status_code == 200 and ran.json()["report"]["passed"], ran.text
        assert room.ledger.performed == ["harvest"]  # the scene ran once, to its end

        reset = await presenter.post("/api/presenter/reset")  # once it is over, the same request resets
        assert reset.status_code == 200, reset.text
        assert reset.json()["resetSeconds"] == 1.25 and reset.json()["busy"] is None
        assert room.network.restores == ["seeded"] and room.ledger.rewound == 1


async def test_a_reset_while_waiting_for_the_customer_is_refused(room: Room) -> None:
    async with room.client() as presenter:
        await presenter.post("/api/presenter/select", json={"storyboard": "busy"})
        await presenter.post("/api/presenter/go", json={"index": 1})
        waiting = await presenter.post("/api/presenter/customer")
        assert waiting.status_code == 200 and waiting.json()["busy"] == "waiting"

        error = assert_busy(await presenter.post("/api/presenter/reset"), "waiting for the customer", "等待客户")
        assert "another scene" in error["message"]  # says how to stop waiting
        assert room.network.restores == [] and not room.network.restore_started.is_set()

        moved = await presenter.post("/api/presenter/back")  # moving on stops the wait ...
        assert moved.status_code == 200 and moved.json()["busy"] is None
        assert (await presenter.post("/api/presenter/reset")).status_code == 200  # ... and then it resets
        assert room.network.restores == ["seeded"]


async def test_no_scene_starts_while_a_reset_runs(room: Room) -> None:
    room.network.hold.clear()
    async with room.client() as presenter:
        await presenter.post("/api/presenter/select", json={"storyboard": "busy"})
        resetting = asyncio.create_task(presenter.post("/api/presenter/reset"))
        assert await asyncio.to_thread(room.network.restore_started.wait, 5)

        assert (await presenter.get("/api/presenter/public")).json()["busy"] == "resetting"
        assert_busy(await presenter.post("/api/presenter/run"), "being reset", "重置")
        assert_busy(await presenter.post("/api/presenter/reset"), "being reset")  # never two at once
        assert_busy(await presenter.post("/api/presenter/select", json={"storyboard": "busy"}), "being reset")
        assert room.ledger.performed == []

        room.network.hold.set()
        done = await resetting
        assert done.status_code == 200 and done.json()["index"] == 0 and done.json()["busy"] is None, done.text
        assert room.network.restores == ["seeded"] and room.ledger.rewound == 1
        room.ledger.release.set()
        assert (await presenter.post("/api/presenter/run")).status_code == 200  # the reset is over: it runs
        assert room.ledger.performed == ["harvest"]


async def test_without_a_snapshot_the_reset_says_so_and_the_session_is_free_again(settings: Settings) -> None:
    room = Room(settings)
    room.network.snapshot = False
    async with room.client() as presenter:
        refused = await presenter.post("/api/presenter/reset")
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "NO_SNAPSHOT"
        assert refused.json()["error"]["message_zh"]
        assert (await presenter.get("/api/presenter/public")).json() == {"storyboard": None}
        assert room.network.restores == []
        await presenter.post("/api/presenter/select", json={"storyboard": "busy"})
        room.ledger.release.set()
        assert (await presenter.post("/api/presenter/run")).status_code == 200


def test_the_app_opens_its_network_once_only_when_none_is_given(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Settings] = []

    def open_network(given: Settings, *_a: Any, **_k: Any) -> FakeNetwork:
        opened.append(given)
        return FakeNetwork()

    monkeypatch.setattr(context, "open_network", open_network)
    given = FakeNetwork()
    app = create_app(settings, network=given, follow_blocks=False)
    assert opened == [] and app.state.network is given and app.state.service.network is given
    assert given.asked == []

    app = create_app(settings, follow_blocks=False)
    assert opened == [settings] and app.state.service.network is app.state.network


async def test_network_changes_never_interleave() -> None:
    network = FakeNetwork()
    network.hold.clear()
    control = FabricControl(network, Path("."))  # type: ignore[arg-type]
    first = asyncio.create_task(control.restore("seeded"))
    assert await asyncio.to_thread(network.restore_started.wait, 5)
    with pytest.raises(Exception) as refused:
        await control.restore("seeded")
    assert getattr(refused.value, "code", None) == "NETWORK_BUSY" and refused.value.http_status == 409
    network.hold.set()
    assert await first == 1.25 and network.restores == ["seeded"]
    assert control.changing is None
