"""Webhooks on the real network: a local receiver on 127.0.0.1 that refuses the first two attempts gets
each contract event, signed (HMAC-SHA256), after retries with backoff."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fabdemo.api.app import create_app
from fabdemo.appserver import InProcessServer
from fabdemo.network.manager import FabricNetwork
from fabdemo.settings import Settings
from tests.api.test_api import define_product
from tests.conftest import E2E_PORT_OFFSET

SECRET = "webhook-test-secret"


class Receiver(http.server.ThreadingHTTPServer):
    """Answers 503 to the first two attempts of a delivery about a WH- lot, then 204 (any other delivery
    at once, so the session's earlier events do not queue ahead); keeps what it accepted."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.attempts: dict[str, int] = {}
        self.accepted: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class Handler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        delivery = self.headers["x-fabdemo-delivery"]
        self.server.attempts[delivery] = self.server.attempts.get(delivery, 0) + 1
        ours = str(json.loads(body).get("payload", {}).get("lotId", "")).startswith("WH-")
        if ours and self.server.attempts[delivery] <= 2:
            self.send_response(503)
        else:
            self.server.accepted.append({"body": body, "headers": dict(self.headers)})
            self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_contract_events_reach_the_endpoint_signed_after_retries(
    network: FabricNetwork, receiver: Receiver, tmp_path: Path
) -> None:
    settings = Settings(state_dir=tmp_path, port_offset=E2E_PORT_OFFSET, webhook_urls=receiver.url,
                        webhook_secret=SECRET)  # fmt: skip
    lot = f"WH-{uuid.uuid4().hex[:8]}"
    with InProcessServer(create_app(settings, network=network)) as server, httpx.Client(base_url=server.url) as api:
        define_product(api, "PRD-HOOK", "Hook lettuce")
        response = api.post("/api/operations/harvest", json={"org": "farm", "args": {
            "lotId": lot, "productId": "PRD-HOOK", "quantity": 5, "unit": "kg", "farmName": "Hook Farm",
            "harvestDate": "2026-05-01"}})  # fmt: skip
        assert response.status_code == 200, response.text
        tx_id = response.json()["proof"]["txId"]
        deadline = time.monotonic() + 60
        mine: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not mine:
            mine = [a for a in receiver.accepted if json.loads(a["body"])["txId"] == tx_id]
            time.sleep(0.1)
        assert mine, f"no delivery of {tx_id}: {receiver.attempts}"
        delivery = mine[0]
        payload = json.loads(delivery["body"])
        assert payload["event"] == "LotHarvested" and payload["payload"]["lotId"] == lot
        assert isinstance(payload["blockNumber"], int) and payload["creator"] == "FarmMSP"
        headers = {k.lower(): v for k, v in delivery["headers"].items()}
        expected = "sha256=" + hmac.new(SECRET.encode(), delivery["body"], hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["x-fabdemo-signature"], expected)
        assert headers["x-fabdemo-attempt"] == "3" and headers["x-fabdemo-event"] == "LotHarvested"
        status = api.get("/api/webhooks").json()
        assert status["endpoints"] == [receiver.url] and status["retries"] >= 2 and status["dead"] == []
    checkpoint = json.loads((tmp_path / "webhooks.json").read_text())
    assert checkpoint["block"] >= payload["blockNumber"]
