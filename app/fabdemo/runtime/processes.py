"""Start, find and stop the kit's processes (nodes and the web app) by their recorded pid, never by name.

A pid file holds the pid and the process start time (from /proc) so that a recycled pid belonging to
some other program is never signalled.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fabdemo.waiting import wait_until

KILL_TIMEOUT = 30.0  # SIGKILL cannot be ignored; this only bounds a process stuck in the kernel


@dataclass(frozen=True)
class ProcessRecord:
    pid: int
    start_ticks: int
    command: list[str]

    def is_alive(self) -> bool:
        return _start_ticks(self.pid) == self.start_ticks


def stat_fields(pid: int) -> list[str] | None:
    """Fields 3 onwards of /proc/<pid>/stat (state, ppid, ..., so field N is index N-3), None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces; fields after the closing paren are fixed.
    return stat[stat.rindex(")") + 2 :].split()


def _start_ticks(pid: int) -> int | None:
    """Process start time in clock ticks since boot (field 22 of /proc/<pid>/stat), None if gone."""
    fields = stat_fields(pid)
    if fields is None or fields[0] == "Z":  # a zombie has exited already
        return None
    return int(fields[19])


def read_record(pid_file: Path) -> ProcessRecord | None:
    try:
        data = json.loads(pid_file.read_text())
        return ProcessRecord(int(data["pid"]), int(data["start_ticks"]), list(data["command"]))
    except (OSError, ValueError, KeyError):
        return None


def running_record(pid_file: Path) -> ProcessRecord | None:
    record = read_record(pid_file)
    return record if record is not None and record.is_alive() else None


def start(command: list[str], env: dict[str, str], cwd: Path, log_file: Path, pid_file: Path) -> ProcessRecord:
    """Start a detached process (own session, survives the caller) and record its pid."""
    cwd.mkdir(parents=True, exist_ok=True)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    ticks = _start_ticks(proc.pid)
    if ticks is None:
        raise RuntimeError(f"{command[0]} exited immediately; see {log_file}")
    record = ProcessRecord(proc.pid, ticks, command)
    pid_file.write_text(json.dumps({"pid": record.pid, "start_ticks": record.start_ticks, "command": command}))
    return record


def stop(pid_file: Path, timeout: float = 10.0) -> bool:
    """Stop the recorded process: SIGTERM, then SIGKILL after ``timeout``. Returns True if one was running."""
    record = running_record(pid_file)
    if record is None:
        pid_file.unlink(missing_ok=True)
        return False
    _signal(record, signal.SIGTERM)
    try:
        wait_until(lambda: _gone(record), timeout, interval=0.02, what=f"pid {record.pid} to exit")
    except TimeoutError:
        _signal(record, signal.SIGKILL)
        wait_until(lambda: _gone(record), KILL_TIMEOUT, interval=0.02, what=f"pid {record.pid} to die (SIGKILL)")
    pid_file.unlink(missing_ok=True)
    return True


def _gone(record: ProcessRecord) -> bool:
    _reap(record.pid)
    return not record.is_alive()


def _signal(record: ProcessRecord, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(record.pid, sig)


def _reap(pid: int) -> None:
    """Collect the exit status if the process is our own child (otherwise init does it)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
