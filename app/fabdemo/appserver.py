"""Run the web app as a background process: start (uvicorn), stop (by recorded pid), status.

Its pid file, log and facts (URL, host, port, session token) live under ``<state dir>/app/``. The process
is managed like every node (``runtime/processes.py``): the pid file records the pid and its start time,
so only that very process is ever signalled.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from fabdemo.api.config import DEFAULT_PORT, AppConfig
from fabdemo.runtime import processes
from fabdemo.settings import Settings, get_settings
from fabdemo.waiting import wait_until

START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
APP_MODULE = "fabdemo.api.app:app_from_env"


class AppServerError(RuntimeError):
    pass


@dataclass(frozen=True)
class AppInfo:
    pid: int
    host: str
    port: int
    url: str
    lan_url: str
    join_url: str | None
    log_file: str


def app_dir(settings: Settings) -> Path:
    return settings.state_dir / "app"


def _pid_file(settings: Settings) -> Path:
    return app_dir(settings) / "app.pid"


def _info_file(settings: Settings) -> Path:
    return app_dir(settings) / "app.json"


def log_file(settings: Settings) -> Path:
    return app_dir(settings) / "app.log"


def status(settings: Settings | None = None) -> AppInfo | None:
    """The running app, or None."""
    settings = settings or get_settings()
    record = processes.running_record(_pid_file(settings))
    if record is None:
        return None
    try:
        data = json.loads(_info_file(settings).read_text())
    except (OSError, ValueError):
        return None
    data["pid"] = record.pid
    return AppInfo(**data)


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0" if host in ("0.0.0.0", "::") else "127.0.0.1", port))
        except OSError:
            return False
    return True


def answers(url: str) -> bool:
    """True when the app at ``url`` answers its health check (whether a process or a container serves it)."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start(settings: Settings | None = None, host: str = "127.0.0.1", port: int | None = None) -> AppInfo:
    """Start the app in the background (or return the one already running) and wait until it answers."""
    settings = settings or get_settings()
    running = status(settings)
    if running is not None:
        return running
    port = port or int(os.environ.get("APP_PORT") or DEFAULT_PORT)
    if not _port_free(host, port):
        raise AppServerError(f"port {port} is already in use; choose another with APP_PORT=<port> (or --port)")
    config = AppConfig.for_host(host, port)
    folder = app_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        "FABDEMO_STATE_DIR": str(settings.state_dir),
        "FABDEMO_PORT_OFFSET": str(settings.port_offset),
        "FABDEMO_TOPOLOGY_FILE": str(settings.topology_file),
        "FABDEMO_APP_HOST": host,
        "FABDEMO_APP_PORT": str(port),
        "FABDEMO_APP_TOKEN": config.token or "",  # empty: no room mode, whatever the caller's env says
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", APP_MODULE,
        "--host", host, "--port", str(port), "--timeout-graceful-shutdown", "2", "--no-access-log",
    ]  # fmt: skip
    log = log_file(settings)
    record = processes.start(command, env, folder, log, _pid_file(settings))
    info = AppInfo(
        pid=record.pid,
        host=host,
        port=port,
        url=config.local_url,
        lan_url=config.lan_url,
        join_url=config.join_url,
        log_file=str(log),
    )
    data = asdict(info)
    data.pop("pid")
    _info_file(settings).write_text(json.dumps(data, indent=2))
    os.chmod(_info_file(settings), 0o600)  # it holds the room token

    def ready() -> bool:
        if not record.is_alive():
            raise AppServerError(f"the app exited during start-up; see {log}")
        return answers(config.local_url)

    try:
        wait_until(ready, START_TIMEOUT, interval=0.2, what="the web app to answer")
    except TimeoutError:
        stop(settings)
        raise AppServerError(f"the app did not answer within {START_TIMEOUT:.0f}s; see {log}") from None
    return info


def stop(settings: Settings | None = None) -> bool:
    """Stop the app by its recorded pid; True if one was running."""
    settings = settings or get_settings()
    stopped = processes.stop(_pid_file(settings), timeout=STOP_TIMEOUT)
    _info_file(settings).unlink(missing_ok=True)
    return stopped


class InProcessServer:
    """The app served by uvicorn on a thread of this process (tests, benchmarks): ``with InProcessServer(app) as s``."""

    def __init__(self, app: object, host: str = "127.0.0.1", port: int = 0) -> None:
        import socket
        import threading

        import uvicorn

        if port == 0:
            with socket.socket() as sock:
                sock.bind((host, 0))
                port = sock.getsockname()[1]
        self.url = f"http://{host}:{port}"
        config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=1, lifespan="on"
        )  # type: ignore[arg-type]
        self._server = uvicorn.Server(config)
        state = getattr(app, "state", None)
        if state is not None:
            state.stopping = lambda: self._server.should_exit
        self._thread = threading.Thread(target=self._server.run, name=f"app-{port}", daemon=True)

    def __enter__(self) -> InProcessServer:
        self._thread.start()

        def started() -> bool:
            if not self._thread.is_alive():
                raise AppServerError("the in-process app server stopped during start-up")
            return self._server.started

        try:
            wait_until(started, START_TIMEOUT, interval=0.02, what="the in-process app server")
        except TimeoutError:
            raise AppServerError("the in-process app server did not start") from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
