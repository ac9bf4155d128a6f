"""Run the web app in its container beside a Compose network (``make app`` on the Compose runtime).

The native counterpart is :mod:`fabdemo.appserver` (a background uvicorn process). Here the app image is
built from ``app/Dockerfile`` and started as the ``app`` service of docker-compose.yaml, with the port,
bind address, public host and room token passed to Compose for this call only.
"""

from __future__ import annotations

import os
from typing import Any

from fabdemo.appserver import answers
from fabdemo.runtime import composefile as cf
from fabdemo.runtime.compose_project import ComposeError, ComposeProject, image_setting
from fabdemo.waiting import wait_until

APP_SERVICE = "app"
APP_START_TIMEOUT = 60.0


def default_port() -> int:
    return int(os.environ.get("APP_PORT") or cf.APP_CONTAINER_PORT)


class AppContainer:
    def __init__(self, project: ComposeProject) -> None:
        self.project = project

    def start(self, host: str = "127.0.0.1", port: int | None = None, token: str | None = None,
              public_host: str | None = None) -> str:  # fmt: skip
        """Build the app image, start its container, wait for /healthz; returns its URL."""
        port = port or default_port()
        variables = {"APP_PORT": str(port), "APP_BIND": host if host in ("0.0.0.0", "::") else "127.0.0.1"}
        if token:
            variables["FABDEMO_APP_TOKEN"] = token
        if public_host:
            variables["APP_PUBLIC_HOST"] = public_host
        repository = image_setting("APP_IMAGE")
        self.project.build_image(
            self.project.settings.repo_root,
            "app/Dockerfile",
            {"PYTHON_IMAGE": image_setting("PYTHON_IMAGE")},
            f"{repository}:latest",
            "app image",
        )
        self.project.compose("up", "-d", "--no-deps", APP_SERVICE, extra=variables)
        url = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            container = self.project.container(APP_SERVICE)
            if container is not None and container.status == "exited":
                raise ComposeError(f"the app container exited; see `docker logs {container.name}`")
            return answers(url)

        try:
            wait_until(ready, APP_START_TIMEOUT, interval=0.3, what="the app container to answer")
        except TimeoutError:
            raise ComposeError(f"the app container did not answer on {url} within {APP_START_TIMEOUT:.0f}s") from None
        return url

    def running(self) -> Any:
        container = self.project.container(APP_SERVICE)
        return container if container is not None and container.status == "running" else None

    def stop(self) -> bool:
        container = self.project.container(APP_SERVICE)
        if container is None:
            return False
        running = container.status == "running"
        container.remove(force=True)
        return running


def app_command(action: str, host: str = "127.0.0.1", port: int | None = None) -> int | None:
    """``make app`` / ``app-stop`` / the end of ``make demo`` when the network runs on Compose: the app
    runs in its container. Returns None when the network is native (the caller starts a process)."""
    from fabdemo import context
    from fabdemo.api.config import AppConfig
    from fabdemo.api.presenter_routes import load_presenter_token

    settings, topology, layout = context.load()
    if context.choose_runtime(settings, layout)[0] != "compose":
        return None
    app = AppContainer(ComposeProject(settings, topology, layout))
    if action == "stop":
        print("Stopped the web app container." if app.stop() else "The web app is not running.")
        return 0
    if action == "status":
        container = app.running()
        print(
            f"Web app running in container {container.name}: http://127.0.0.1:{default_port()}"
            if container is not None
            else "The web app is not running. Start it with `make app`."
        )
        return 0
    config = AppConfig.for_host(host, port or default_port())
    public_host = config.lan_url.split("//", 1)[1].rsplit(":", 1)[0] if config.room_mode else None
    url = app.start(host, config.port, config.token, public_host)
    container = app.running()
    print(f"Web app running in container {container.name if container else APP_SERVICE}: {url}", flush=True)
    # The presenter's browser reaches the container through Docker's bridge, not from loopback: the
    # presenter view is opened once with the token the app keeps in the state dir (docs/web-app.md).
    token = load_presenter_token(settings.state_dir)
    print(f"Presenter view: {url}/present?presenter={token}", flush=True)
    if config.join_url:
        from fabdemo.api.qr import qr_text

        print(f"Room mode: people in the room join at {config.lan_url} with this link (or scan the code):")
        print(f"  {config.join_url}")
        print(qr_text(config.join_url), flush=True)
    print("Stop it with `make app-stop` (log: `docker logs` of the container above).")
    return 0
