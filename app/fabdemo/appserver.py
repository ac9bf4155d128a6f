"""Run the web app as a background process: start (uvicorn), stop (by recorded pid), status.

Its pid file, log and facts (URL, host, port, session token) live under ``<state dir>/app/``. Stopping
only ever signals the pid that this module recorded, after checking that the process is still our uvicorn.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from fabdemo.api.config import DEFAULT_PORT, AppConfig
from fabdemo.settings import Settings, get_settings

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


def _is_our_process(pid: int) -> bool:
    """True if ``pid`` is alive and is the uvicorn process that serves this app (guards against pid reuse)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc (macOS): trust the pid file
    return b"uvicorn" in cmdline and APP_MODULE.encode() in cmdline


def _recorded_pid(settings: Settings) -> int | None:
    try:
        pid = int(_pid_file(settings).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _is_our_process(pid) else None


def status(settings: Settings | None = None) -> AppInfo | None:
    """The running app, or None."""
    settings = settings or get_settings()
    pid = _recorded_pid(settings)
    if pid is None:
        return None
    try:
        data = json.loads(_info_file(settings).read_text())
    except (OSError, ValueError):
        return None
    data["pid"] = pid
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
        **os.environ,
        "FABDEMO_STATE_DIR": str(settings.state_dir),
        "FABDEMO_PORT_OFFSET": str(settings.port_offset),
        "FABDEMO_TOPOLOGY_FILE": str(settings.topology_file),
        "FABDEMO_APP_HOST": host,
        "FABDEMO_APP_PORT": str(port),
    }
    env.pop("FABDEMO_APP_TOKEN", None)
    if config.token:
        env["FABDEMO_APP_TOKEN"] = config.token
    command = [
        sys.executable, "-m", "uvicorn", "--factory", APP_MODULE,
        "--host", host, "--port", str(port), "--timeout-graceful-shutdown", "2", "--no-access-log",
    ]  # fmt: skip
    log = log_file(settings)
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True
        )
    _pid_file(settings).write_text(str(process.pid))
    info = AppInfo(
        pid=process.pid,
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
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AppServerError(f"the app exited during start-up; see {log}")
        try:
            with urllib.request.urlopen(f"{config.local_url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return info
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    stop(settings)
    raise AppServerError(f"the app did not answer within {START_TIMEOUT:.0f}s; see {log}")


def stop(settings: Settings | None = None) -> bool:
    """Stop the app by its recorded pid; True if one was running."""
    settings = settings or get_settings()
    pid = _recorded_pid(settings)
    stopped = False
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline and _is_our_process(pid):
            _reap(pid)
            time.sleep(0.1)
        if _is_our_process(pid):
            os.kill(pid, signal.SIGKILL)
        stopped = True
    for path in (_pid_file(settings), _info_file(settings)):
        path.unlink(missing_ok=True)
    return stopped


def _reap(pid: int) -> None:
    # A child of this very process (started by start() in the same run) stays a zombie until waited for.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


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
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise AppServerError("the in-process app server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
