"""``make cc-watch``: poll a chaincode project's files and hot-reload its servers on every save.

Polling mtimes (every half second) needs no new dependency and works on every file system; a save
that does not compile prints the compiler's output and leaves the running servers as they were.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from fabdemo.network import ccbuild
from fabdemo.network.ccdeploy import ChaincodeDeployer, ReloadResult, source_dir
from fabdemo.network.state import NetworkError

Snapshot = dict[Path, int]


def snapshot(folder: Path) -> Snapshot:
    result: Snapshot = {}
    for path in ccbuild.source_files(folder):
        try:
            result[path] = path.stat().st_mtime_ns
        except FileNotFoundError:
            continue  # removed while we looked (an editor's temporary file)
    return result


def watch(
    deployer: ChaincodeDeployer,
    name: str,
    progress: Callable[[str], None],
    *,
    interval: float = 0.5,
    should_stop: Callable[[], bool] = lambda: False,
    on_reload: Callable[[ReloadResult | None], None] = lambda _result: None,
) -> None:
    """Reload ``name`` after each change until ``should_stop()``; ``on_reload(None)`` after a failed build."""
    spec = deployer.spec(name)
    folder = source_dir(deployer.ctx, spec)
    seen = snapshot(folder)
    progress(f"Watching {folder} ({spec.language}); save a file to reload {name}, Ctrl-C to stop")
    while not should_stop():
        time.sleep(interval)
        now = snapshot(folder)
        if now == seen:
            continue
        changed = sorted(
            str(p.relative_to(folder))
            for p in now.keys() ^ seen.keys() | {p for p in now.keys() & seen.keys() if now[p] != seen[p]}
        )
        seen = now
        progress(f"Changed: {', '.join(changed[:5])}{' ...' if len(changed) > 5 else ''}")
        try:
            result = deployer.reload(name, progress)
        except ccbuild.ChaincodeBuildError as err:
            progress(f"Not reloaded: {name} does not build; the servers keep the previous code.\n{err.output}")
            on_reload(None)
            continue
        except NetworkError as err:
            progress(f"Not reloaded: {err}")
            on_reload(None)
            continue
        on_reload(result)
