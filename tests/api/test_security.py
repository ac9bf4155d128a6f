"""The web app's hardening: join rate limit, cross-site refusal, presenter token and the one-driver rule,
upload limit, security headers, key file modes and hostile text that stays text."""

from __future__ import annotations

import asyncio
import re
import stat
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fabdemo.api.app import create_app
from fabdemo.api.config import AppConfig
from fabdemo.api.presenter_routes import PRESENTER_COOKIE, presenter_token_file
from fabdemo.api.security import MAX_UPLOAD
from fabdemo.network.crypto import restrict_private_keys
from tests.api.conftest import app_settings
from tests.api.test_api import JSON, expect_error, new_lot_id, perform, same_origin

pytestmark = pytest.mark.e2e

ROOM_TOKEN = "room-token-sec"
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_ATTR = '" onmouseover="x'
HOSTILE_URL = "javascript:alert(1)"


def call(app: Any, client: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request to ``app`` as if from the address ``client``."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(client, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://room") as http:
            return await http.request(method, path, **kwargs)

    return asyncio.run(go())


@pytest.fixture(scope="module")
def room_app(network) -> Any:
    """Room mode, where this machine is trusted no more than a phone (as under Compose)."""
    config = AppConfig(host="0.0.0.0", port=0, token=ROOM_TOKEN, trust_loopback=False)
    return create_app(app_settings(network), config, network=network, follow_blocks=False)


# -- join rate limit ------------------------------------------------------------------------------------


def test_join_attempts_are_rate_limited_per_address(room_app: Any) -> None:
    for _ in range(10):
        expect_error(call(room_app, "192.0.2.10", "GET", "/join", params={"token": "guess"}), 401, "UNAUTHORIZED")
    limited = call(room_app, "192.0.2.10", "GET", "/join", params={"token": ROOM_TOKEN})
    error = expect_error(limited, 429, "RATE_LIMITED")
    assert "join attempts" in error["message"] and "加入尝试" in error["message_zh"]
    # Another phone is not punished for the first one's guesses.
    joined = call(room_app, "192.0.2.11", "GET", "/join", params={"token": ROOM_TOKEN})
    assert joined.status_code == 303 and ROOM_TOKEN in joined.headers["set-cookie"]


# -- cross-site requests ----------------------------------------------------------------------------------


def test_state_changing_requests_need_json_or_the_token_header(api: httpx.Client) -> None:
    height_before = api.get("/api/blocks", params={"limit": 1}).json()["follower"]["height"]
    form = {"org": "farm", "args": "x"}
    expect_error(api.post("/api/operations/harvest", data=form), 415, "UNSUPPORTED_MEDIA_TYPE")
    plain = api.post("/api/operations/harvest", content=b'{"org": "farm"}', headers={"content-type": "text/plain"})
    expect_error(plain, 415, "UNSUPPORTED_MEDIA_TYPE")
    # Without a body (a no-cors fetch from another site's page): refused once the browser names the site.
    expect_error(api.post("/api/presenter/next", headers={"origin": "https://evil.example"}), 403, "CROSS_SITE")
    # A multipart post from another site's page, or from nowhere the app can tell, is refused.
    upload = {"file": ("doc.txt", b"hello")}
    evil = api.post("/api/documents/hash", files=upload, headers={"origin": "https://evil.example"})
    expect_error(evil, 403, "CROSS_SITE")
    expect_error(api.post("/api/documents/hash", files=upload), 403, "CROSS_SITE")
    evil_referer = {"referer": "https://evil.example/page"}
    expect_error(api.post("/api/documents/hash", files=upload, headers=evil_referer), 403, "CROSS_SITE")
    assert api.post("/api/documents/hash", files=upload, headers=same_origin(api)).status_code == 200
    own_page = {"referer": f"{str(api.base_url).rstrip('/')}/documents"}
    assert api.post("/api/documents/hash", files=upload, headers=own_page).status_code == 200
    with_token = api.post("/api/documents/hash", files=upload, headers={"x-fabdemo-token": "any"})
    assert with_token.status_code == 200
    # JSON goes through to validation as before.
    expect_error(api.post("/api/operations/harvest", content=b"[]", headers=JSON), 422, "INVALID_ARGUMENT")
    assert api.get("/api/blocks", params={"limit": 1}).json()["follower"]["height"] == height_before


# -- presenter token and the one-driver rule ------------------------------------------------------------


def test_presenter_token_lets_the_presenter_drive_from_any_address(room_app: Any, network) -> None:
    token_file = presenter_token_file(app_settings(network).state_dir)
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = token_file.read_text().strip()
    room = {"x-fabdemo-token": ROOM_TOKEN}
    # A phone that joined the room may follow, not drive; nor may a guessed presenter token.
    expect_error(call(room_app, "192.0.2.20", "GET", "/api/presenter/state", headers=room), 403, "PRESENTER_ONLY")
    guessed = {**room, "x-fabdemo-presenter": "guess"}
    expect_error(call(room_app, "192.0.2.20", "GET", "/api/presenter/state", headers=guessed), 403, "PRESENTER_ONLY")
    # The presenter (here through the Docker bridge gateway, say) opens /present with the token once ...
    opened = call(room_app, "172.17.0.1", "GET", "/present", params={"presenter": token}, headers=room)
    assert opened.status_code == 303 and opened.headers["location"] == "/present"
    assert f"{PRESENTER_COOKIE}={token}" in opened.headers["set-cookie"]
    # ... and the cookie lets the browser drive.
    cookies = {"cookie": f"{PRESENTER_COOKIE}={token}; fabdemo_token={ROOM_TOKEN}"}
    assert call(room_app, "172.17.0.1", "GET", "/api/presenter/state", headers=cookies).status_code == 200
    # Opening /present without the token from another machine hands out nothing.
    plain = call(room_app, "192.0.2.20", "GET", "/present", headers=room)
    assert plain.status_code == 200 and PRESENTER_COOKIE not in plain.headers.get("set-cookie", "")


def test_a_second_presenter_gets_409_until_the_first_releases_or_idles(room_app: Any, network) -> None:
    token = presenter_token_file(app_settings(network).state_dir).read_text().strip()
    headers = {"x-fabdemo-token": ROOM_TOKEN, "x-fabdemo-presenter": token}
    first, second = "192.0.2.31", "192.0.2.32"
    select = {"storyboard": "developers"}
    assert call(room_app, first, "POST", "/api/presenter/select", json=select, headers=headers).status_code == 200
    taken = call(room_app, second, "POST", "/api/presenter/select", json=select, headers=headers)
    error = expect_error(taken, 409, "PRESENTER_TAKEN")
    assert first in error["message"] and "release" in error["message"] and "另一位演示者" in error["message_zh"]
    assert call(room_app, second, "POST", "/api/presenter/release", json={}, headers=headers).json()["driver"] == first
    assert call(room_app, first, "POST", "/api/presenter/next", json={}, headers=headers).status_code == 200
    released = call(room_app, first, "POST", "/api/presenter/release", json={}, headers=headers)
    assert released.json()["driver"] is None
    assert call(room_app, second, "POST", "/api/presenter/back", json={}, headers=headers).status_code == 200
    # A presenter who went idle can be taken over.
    room_app.state.presenter.driver_idle_seconds = 0.0
    try:
        assert call(room_app, first, "POST", "/api/presenter/next", json={}, headers=headers).status_code == 200
    finally:
        room_app.state.presenter.driver_idle_seconds = 120.0
    assert call(room_app, first, "GET", "/api/presenter/state", headers=headers).json()["driver"] == first


# -- upload size limit ------------------------------------------------------------------------------------


@pytest.fixture
def private_tempdir(tmp_path: Path) -> Iterator[Path]:
    """The in-process app spools uploads here, so a left-behind temporary file would show."""
    folder = tmp_path / "spool"
    folder.mkdir()
    saved, tempfile.tempdir = tempfile.tempdir, str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = saved


def test_uploads_over_the_limit_get_413_and_leave_no_files(room_app: Any, private_tempdir: Path) -> None:
    headers = {"x-fabdemo-token": ROOM_TOKEN}
    big = b"x" * (MAX_UPLOAD + 128 * 1024)
    declared = call(
        room_app, "192.0.2.40", "POST", "/api/documents/hash", files={"file": ("big", big)}, headers=headers
    )
    error = expect_error(declared, 413, "TOO_LARGE")
    assert "MB" in error["message"] and "文件大于" in error["message_zh"]

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        boundary = b"--b0undary\r\n"
        yield boundary + b'Content-Disposition: form-data; name="file"; filename="big"\r\n\r\n'
        for _ in range(22):
            yield b"y" * (1024 * 1024)
        yield b"\r\n--b0undary--\r\n"

    streamed = call(
        room_app, "192.0.2.40", "POST", "/api/documents/hash", content=chunks(),
        headers={**headers, "content-type": "multipart/form-data; boundary=b0undary"},
    )  # fmt: skip
    expect_error(streamed, 413, "TOO_LARGE")
    small = call(room_app, "192.0.2.40", "POST", "/api/documents/hash", files={"file": ("s", b"ok")}, headers=headers)
    assert small.status_code == 200 and small.json()["size"] == 2
    assert list(private_tempdir.iterdir()) == []


# -- security headers -------------------------------------------------------------------------------------


def _assert_hardened(response: httpx.Response) -> None:
    csp = response.headers.get("content-security-policy", "")
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and "'unsafe-inline'" not in script_src.group(1) and "http" not in script_src.group(1), csp
    assert "frame-ancestors 'self'" in csp and response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


PAGES = ["/", "/operations", "/ledger", "/network", "/documents", "/prices", "/present", "/audience", "/c/LOT-NONE"]


def test_every_response_carries_the_security_headers(api: httpx.Client, room_app: Any) -> None:
    for path in [*PAGES, "/api/lots", "/api/nowhere", "/static/app.js", "/openapi.json", "/healthz"]:
        _assert_hardened(api.get(path))
    _assert_hardened(api.request("TRACE", "/api/lots"))
    _assert_hardened(call(room_app, "192.0.2.60", "GET", "/"))  # the room guard's 401
    # Swagger UI's script is allowed by nonce only, never inline at large.
    docs = api.get("/docs")
    assert (
        "'nonce-" in docs.headers["content-security-policy"]
        and "'unsafe-inline'" not in docs.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )


def test_docs_page_works_offline(api: httpx.Client) -> None:
    """/docs loads Swagger UI from the app itself: no other host in its CSP or its page, and the files are served."""
    docs = api.get("/docs")
    assert docs.status_code == 200
    assert "http" not in docs.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        response = api.get(asset)
        assert response.status_code == 200 and len(response.content) > 100, asset


def test_pages_have_no_inline_script(api: httpx.Client) -> None:
    for path in PAGES:
        html = api.get(path).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"\son[a-z]+=", html), path  # no inline event handlers either


def test_405_answers_carry_an_allow_header(api: httpx.Client) -> None:
    response = api.request("TRACE", "/api/lots")
    expect_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET"


# -- private keys -----------------------------------------------------------------------------------------


def test_private_keys_are_readable_by_their_owner_only(network, tmp_path: Path) -> None:
    keys = [p for pattern in ("*_sk", "*.key") for p in network.layout.root.rglob(pattern) if p.is_file()]
    assert any(p.name == "server.key" for p in keys) and any(p.name == "priv_sk" for p in keys)
    loose = [p for p in keys if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert loose == []
    stray = tmp_path / "tls" / "server.key"
    stray.parent.mkdir()
    stray.write_text("key")
    stray.chmod(0o644)
    assert restrict_private_keys(tmp_path) == [stray]
    assert stat.S_IMODE(stray.stat().st_mode) == 0o600


# -- hostile text -----------------------------------------------------------------------------------------


def test_hostile_lot_fields_stay_escaped_in_every_page(api: httpx.Client) -> None:
    product = f"PRD-HOSTILE-{new_lot_id()[-8:]}"
    perform(api, "farm", "define_product", productId=product, name=HOSTILE_URL, minTempC=1, maxTempC=4)
    lot_id = new_lot_id()
    perform(
        api, "farm", "harvest", lotId=lot_id, productId=product, quantity=5, unit=HOSTILE_ATTR,
        farmName=HOSTILE_SCRIPT, farmLocation=HOSTILE_URL, harvestDate="2026-05-01",
    )  # fmt: skip
    for path in [f"/lots/{lot_id}", f"/lots/{lot_id}/trace", f"/c/{lot_id}", "/"]:
        html = api.get(path).text
        assert HOSTILE_SCRIPT not in html and HOSTILE_ATTR not in html, path
        assert not re.search(r"""(href|src)=["']?\s*javascript:""", html, re.I), path
    lot_page = api.get(f"/lots/{lot_id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in lot_page
    assert "&#34; onmouseover=&#34;x" in lot_page or "&quot; onmouseover=&quot;x" in lot_page
