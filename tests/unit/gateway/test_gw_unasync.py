"""scripts/unasync.py: the blocking client is generated from the asyncio source, and ``--check`` catches drift."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "unasync.py"
PACKAGE = REPO / "app" / "fabric_gateway"


def _load_script():
    spec = importlib.util.spec_from_file_location("unasync_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


unasync = _load_script()


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False, timeout=120)


def snapshot(directory: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(directory.glob("*.py"))}


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the asyncio source and of the committed generated code."""
    skip = shutil.ignore_patterns("__pycache__")
    source, target = tmp_path / "_async", tmp_path / "_sync"
    shutil.copytree(PACKAGE / "_async", source, ignore=skip)
    shutil.copytree(PACKAGE / "_sync", target, ignore=skip)
    return source, target


def test_committed_blocking_code_is_up_to_date():
    done = run("--check")
    assert done.returncode == 0, done.stderr
    assert "is up to date" in done.stdout


def test_every_asyncio_module_has_its_generated_twin():
    assert sorted(p.name for p in (PACKAGE / "_async").glob("*.py")) == sorted(snapshot(PACKAGE / "_sync"))
    for name, text in snapshot(PACKAGE / "_sync").items():
        assert text.startswith(unasync.HEADER.format(name=name))
        assert "async " not in text and "await " not in text and "grpc.aio" not in text


def test_generation_is_idempotent(tree: tuple[Path, Path]):
    source, target = tree
    committed = snapshot(target)

    done = run("--source", source, "--target", target)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")  # nothing to rewrite
    assert snapshot(target) == committed

    shutil.rmtree(target)  # from nothing: the committed files, and a second run changes nothing
    done = run("--source", source, "--target", target)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("wrote") == len(committed)
    assert snapshot(target) == committed
    assert run("--source", source, "--target", target).stdout == ""
    assert run("--check", "--source", source, "--target", target).returncode == 0


def test_check_names_the_stale_files_and_regenerating_repairs_them(tree: tuple[Path, Path]):
    source, target = tree
    committed = snapshot(target)
    commit_source = source / "commit.py"
    commit_source.write_text(commit_source.read_text().replace("A transaction sent", "A transaction handed"))
    (target / "retry.py").write_text(committed["retry.py"] + "# edited by hand\n")
    (target / "network.py").unlink()
    (target / "gone.py").write_text(unasync.HEADER.format(name="gone.py"))

    done = run("--check", "--source", source, "--target", target)
    assert done.returncode == 1
    assert "stale" in done.stderr
    for name in ("commit.py", "retry.py", "network.py", "gone.py"):
        assert str(target / name) in done.stderr
    assert "gateway.py" not in done.stderr
    assert snapshot(target)["retry.py"].endswith("# edited by hand\n")  # --check writes nothing

    assert run("--source", source, "--target", target).returncode == 0
    assert run("--check", "--source", source, "--target", target).returncode == 0
    regenerated = snapshot(target)
    assert sorted(regenerated) == sorted(committed)
    assert "A transaction handed" in regenerated["commit.py"]
    assert regenerated["retry.py"] == committed["retry.py"]


ASYNC_SAMPLE = '''\
"""An :class:`AsyncThing` over a ``grpc.aio.Channel``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import grpc
import grpc.aio

from fabric_gateway._async.client import AsyncGatewayClient


class AsyncThing(AsyncIterator[int]):
    client: AsyncGatewayClient

    async def __aenter__(self) -> AsyncThing:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __aiter__(self) -> AsyncThing:
        return self

    async def __anext__(self) -> int:
        try:
            return await self.read()
        except grpc.RpcError:
            raise StopAsyncIteration from None
        except asyncio.CancelledError:  # unasync: async-only
            asyncio.current_task()
            raise

    async def aclose(self) -> None:
        await asyncio.sleep(0)

    async def submit_async(self) -> int:
        return 1


async def connect_async(channel: grpc.aio.Channel, fn: Callable[[], Awaitable[int]]) -> list[int]:
    async with AsyncThing() as thing:
        async for _ in thing:
            await thing.submit_async()
    return [await fn(), *[x async for x in thing]]
'''

SYNC_SAMPLE = '''\
"""An :class:`Thing` over a ``grpc.Channel``."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import grpc

from fabric_gateway._sync.client import GatewayClient


class Thing(Iterator[int]):
    client: GatewayClient

    def __enter__(self) -> Thing:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Thing:
        return self

    def __next__(self) -> int:
        try:
            return self.read()
        except grpc.RpcError:
            raise StopIteration from None

    def close(self) -> None:
        time.sleep(0)

    def submit_async(self) -> int:
        return 1


def connect(channel: grpc.Channel, fn: Callable[[], int]) -> list[int]:
    with Thing() as thing:
        for _ in thing:
            thing.submit_async()
    return [fn(), *[x for x in thing]]
'''


def test_rules(tmp_path: Path):
    """Every rule of the generator on one module; ``submit_async`` keeps its name."""
    sample = tmp_path / "sample.py"
    sample.write_text(ASYNC_SAMPLE)
    assert unasync.generate(sample) == unasync.HEADER.format(name="sample.py") + SYNC_SAMPLE


def test_unmarked_asyncio_without_blocking_twin_is_an_error(tmp_path: Path):
    sample = tmp_path / "sample.py"
    sample.write_text("import asyncio\n\n\nasync def f() -> None:\n    asyncio.current_task()\n")
    with pytest.raises(unasync.UnasyncError, match=r"line 5: asyncio\.current_task has no blocking twin"):
        unasync.generate(sample)
