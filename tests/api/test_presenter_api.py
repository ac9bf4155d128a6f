"""The presenter API: the storyboard catalogue, driving a scene, the public state, and who may drive."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from fabdemo.api.app import create_app
from fabdemo.api.config import AppConfig
from tests.api.conftest import app_settings
from tests.api.test_api import expect_error

pytestmark = pytest.mark.e2e


def test_storyboards_select_run_and_navigate(api: httpx.Client) -> None:
    state = api.get("/api/presenter/state").json()
    ids = {s["id"] for s in state["storyboards"]}
    assert {"executives", "developers", "architects"} <= ids
    assert all(s["plannedMinutes"] <= s["budgetMinutes"] <= 30 for s in state["storyboards"])

    expect_error(api.post("/api/presenter/select", json={"storyboard": "nope"}), 404, "UNKNOWN_STORYBOARD")
    state = api.post("/api/presenter/select", json={"storyboard": "developers"}).json()
    assert state["index"] == 0 and state["talk"]["en"] and state["talk"]["zh"]
    ran = api.post("/api/presenter/run", json={}).json()
    assert ran["report"]["passed"], ran["report"]
    public = api.get("/api/presenter/public").json()
    assert public["scene"]["id"] == "network" and "talk" not in public  # the audience never gets notes

    expect_error(api.post("/api/presenter/go", json={"index": 99}), 422, "INVALID_ARGUMENT")
    assert api.post("/api/presenter/next", json={}).json()["index"] == 1
    assert api.post("/api/presenter/back", json={}).json()["index"] == 0
    expect_error(api.post("/api/presenter/customer", json={}), 409, "NO_CUSTOMER_STEP")


def test_page_qr_codes(api: httpx.Client) -> None:
    response = api.get("/api/qr/page.svg", params={"path": "/c/LOT-1"})
    assert response.status_code == 200 and response.text.lstrip().startswith("<")
    expect_error(api.get("/api/qr/page.svg", params={"path": "https://elsewhere.example"}), 422, "INVALID_ARGUMENT")
    expect_error(api.get("/api/qr/page.svg", params={"path": "//elsewhere.example"}), 422, "INVALID_ARGUMENT")


def test_only_the_presenters_machine_drives(network) -> None:
    config = AppConfig(host="0.0.0.0", port=0, token="room-token-123", trust_loopback=False)
    app = create_app(app_settings(network), config, network=network, follow_blocks=False)

    async def as_a_phone_in_the_room() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app, client=("192.0.2.50", 50000))
        headers = {"x-fabdemo-token": "room-token-123"}
        async with httpx.AsyncClient(transport=transport, base_url="http://room", headers=headers) as phone:
            return (
                await phone.get("/api/presenter/public"),
                await phone.post("/api/presenter/select", json={"storyboard": "executives"}),
                await phone.get("/join", params={"token": "room-token-123", "next": "//evil.example/x"}),
            )

    public, drive, join = asyncio.run(as_a_phone_in_the_room())
    assert public.status_code == 200
    expect_error(drive, 403, "PRESENTER_ONLY")
    assert join.status_code == 303 and join.headers["location"] == "/"  # never an open redirect


def test_join_link_in_a_page_qr_carries_the_next_page(network) -> None:
    config = AppConfig(host="0.0.0.0", port=0, token="room-token-456", trust_loopback=True)
    app = create_app(app_settings(network), config, network=network, follow_blocks=False)

    async def follow() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
        async with httpx.AsyncClient(transport=transport, base_url="http://room") as client:
            return await client.get("/join", params={"token": "room-token-456", "next": "/lots/LOT-1"})

    joined = asyncio.run(follow())
    assert joined.status_code == 303 and joined.headers["location"] == "/lots/LOT-1"
