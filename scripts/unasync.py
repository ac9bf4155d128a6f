"""Generate the blocking Fabric Gateway client from its asyncio source, as httpcore and elasticsearch-py do.

    python scripts/unasync.py           # write app/fabric_gateway/_sync/ from app/fabric_gateway/_async/
    python scripts/unasync.py --check   # exit 1, naming the stale files, if _sync/ is not what _async/ gives

The asyncio modules in ``_async/`` are the only hand-written source of the classes that do I/O; every
``_async/<name>.py`` becomes ``_sync/<name>.py``. The rewrite works on Python tokens. All of its rules:

1. ``async def`` / ``async with`` / ``async for`` become ``def`` / ``with`` / ``for``; ``await`` is dropped.
2. Names are renamed by ``RENAMES`` (below), else ``AsyncX`` becomes ``X`` (``AsyncGateway`` -> ``Gateway``,
   ``AsyncIterator`` -> ``Iterator``). Nothing else is renamed: an ``_async`` suffix is not stripped
   (``submit_async`` keeps its name), such names are listed in ``RENAMES``. The renames apply to whole
   words inside strings and comments too, so docstrings name the blocking classes.
3. ``grpc.aio`` becomes ``grpc`` (in strings and comments too).
4. ``asyncio.sleep`` becomes ``time.sleep`` and ``import asyncio`` becomes ``import time``; any other use of
   ``asyncio`` is an error, unless it is left out by rule 6.
5. ``Awaitable[X]`` becomes ``X``.
6. A line ending in ``# unasync: async-only`` is left out, and with it the indented block it opens (an
   ``except`` clause, a method).

Then ruff sorts the imports and removes the unused ones (``ruff check --fix --select I,F401``; this also
merges the two ``import grpc`` that ``import grpc`` and ``import grpc.aio`` become) and formats the code
(``ruff format``), with the project's settings (and ``fabric_gateway`` known as first-party, so that the
import order does not depend on whether the generated files exist yet). Each generated file starts with a
header that says it is generated and by which command.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "app" / "fabric_gateway"
SOURCE = PACKAGE / "_async"
TARGET = PACKAGE / "_sync"

RENAMES = {
    # the asynchronous protocols
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "aclose": "close",
    "StopAsyncIteration": "StopIteration",
    # the generated package imports itself, not the asyncio one
    "_async": "_sync",
    # the explicit map: names whose blocking twin is not the name without "Async"
    "connect_async": "connect",
    "submit_with_retry_async": "submit_with_retry",
    "acquire_async": "acquire_sync",  # fabric_gateway.connection.ChannelCache
    "release_async": "release_sync",
}
ASYNC_CLASS = re.compile(r"Async([A-Z]\w*)")
ASYNC_ONLY = "# unasync: async-only"
HEADER = (
    "# Generated from app/fabric_gateway/_async/{name} by `python scripts/unasync.py` (`make fmt`): do not edit.\n"
    "# Change the asyncio source and regenerate; `python scripts/unasync.py --check` (`make lint`) checks it.\n"
)
CHECK_HINT = "run `python scripts/unasync.py` or `make fmt`, and commit the result"


class UnasyncError(Exception):
    pass


def rename(name: str) -> str:
    if name in RENAMES:
        return RENAMES[name]
    match = ASYNC_CLASS.fullmatch(name)
    return match.group(1) if match else name


def rename_words(text: str) -> str:
    """Rules 2 and 3 on the prose of a string or comment."""
    text = re.sub(r"\bgrpc\.aio\b", "grpc", text)
    return re.sub(r"[A-Za-z_]\w*", lambda m: rename(m.group(0)), text)


def drop_async_only(source: str) -> str:
    """Rule 6: leave out the marked lines and the blocks they open (blank lines inside a block go too)."""
    out: list[str] = []
    block_indent: int | None = None  # indentation of the marked header whose block is being skipped
    blanks: list[str] = []
    for line in source.splitlines(keepends=True):
        indent = len(line) - len(line.lstrip())
        if block_indent is not None:
            if not line.strip():
                blanks.append(line)
                continue
            if indent > block_indent:
                blanks.clear()
                continue
            block_indent = None
            out += blanks
            blanks.clear()
        code = line.rstrip()
        if code.endswith(ASYNC_ONLY):
            if code[: -len(ASYNC_ONLY)].rstrip().endswith(":"):
                block_indent = indent
            continue
        out.append(line)
    return "".join(out + blanks)


def unasync_tokens(source: str) -> str:
    """Rules 1 to 5: a list of edits on token spans, applied to the untouched source text."""
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: tuple[int, int]) -> int:
        return starts[position[0] - 1] + position[1]

    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type not in (tokenize.NL, tokenize.INDENT, tokenize.DEDENT)
    ]
    edits: list[tuple[int, int, str]] = []
    for i, tok in enumerate(tokens):
        following = [t.string for t in tokens[i + 1 : i + 3]]
        previous = tokens[i - 1].string if i else ""
        if tok.type in (tokenize.STRING, tokenize.COMMENT):
            edits.append((offset(tok.start), offset(tok.end), rename_words(tok.string)))
        elif tok.type != tokenize.NAME:
            continue
        elif tok.string in ("async", "await"):
            end = offset(tokens[i + 1].start) if tokens[i + 1].start[0] == tok.end[0] else offset(tok.end)
            edits.append((offset(tok.start), end, ""))
        elif tok.string == "asyncio" and previous != ".":
            if following == [".", "sleep"] or previous == "import":
                edits.append((offset(tok.start), offset(tok.end), "time"))
            else:
                used = "".join(following) if following[:1] == ["."] else "import " + " ".join(following)
                raise UnasyncError(
                    f"line {tok.start[0]}: asyncio{used} has no blocking twin; mark the line {ASYNC_ONLY!r}"
                )
        elif tok.string == "grpc" and previous != "." and following == [".", "aio"]:
            edits.append((offset(tok.end), offset(tokens[i + 2].end), ""))
        elif tok.string == "Awaitable" and following[:1] == ["["]:
            depth = 0
            for close in tokens[i + 1 :]:
                if close.type == tokenize.OP and close.string in ("(", "[", "{"):
                    depth += 1
                elif close.type == tokenize.OP and close.string in (")", "]", "}"):
                    depth -= 1
                if depth == 0:
                    break
            edits.append((offset(tok.start), offset(tokens[i + 1].end), ""))
            edits.append((offset(close.start), offset(close.end), ""))
        elif tok.string != rename(tok.string):
            edits.append((offset(tok.start), offset(tok.end), rename(tok.string)))
    for begin, end, text in sorted(edits, reverse=True):
        source = source[:begin] + text + source[end:]
    return source


def ruff_command() -> list[str]:
    venv_ruff = REPO / ".venv" / "bin" / "ruff"
    return [str(venv_ruff)] if venv_ruff.exists() else [sys.executable, "-m", "ruff"]


def ruff(args: list[str], source: str, filename: Path) -> str:
    command = [*ruff_command(), *args, "--stdin-filename", str(filename), "-"]
    done = subprocess.run(command, input=source, capture_output=True, text=True, cwd=REPO, check=False)
    if done.returncode != 0:
        raise UnasyncError(f"{' '.join(command)} failed on the generated {filename.name}:\n{done.stderr}")
    return done.stdout


def generate(source_path: Path) -> str:
    """The generated blocking module for one asyncio module."""
    source = source_path.read_text()
    try:
        code = HEADER.format(name=source_path.name) + unasync_tokens(drop_async_only(source))
        compile(code, source_path.name, "exec")
    except (UnasyncError, SyntaxError, tokenize.TokenError) as e:
        raise UnasyncError(f"{source_path}: {e}") from e
    # Format as the committed file in the repo, whatever the destination: the same settings, the same package.
    # (Known first-party: the target modules may not exist yet, and ruff looks for them to tell.)
    as_file = TARGET / source_path.name
    first_party = ["--config", "lint.isort.known-first-party = ['fabric_gateway']"]
    code = ruff(["check", "--fix", "--select", "I,F401", "--quiet", *first_party], code, as_file)
    return ruff(["format", "--quiet"], code, as_file)


def display(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="only check that the generated code is up to date")
    parser.add_argument("--source", type=Path, default=SOURCE, help="the asyncio package (default: %(default)s)")
    parser.add_argument("--target", type=Path, default=TARGET, help="the generated package (default: %(default)s)")
    args = parser.parse_args(argv)
    source, target = args.source.resolve(), args.target.resolve()

    try:
        expected = {target / path.name: generate(path) for path in sorted(source.glob("*.py"))}
    except UnasyncError as e:
        print(f"unasync: {e}", file=sys.stderr)
        return 2
    if not expected:
        print(f"unasync: no Python modules in {display(source)}", file=sys.stderr)
        return 2
    stale = [path for path, text in expected.items() if not path.exists() or path.read_text() != text]
    extra = sorted(set(target.glob("*.py")) - expected.keys())  # generated from a module that is gone

    if args.check:
        if stale or extra:
            print(f"unasync: the generated blocking code is stale ({CHECK_HINT}):", file=sys.stderr)
            for path in stale:
                origin = display(source / path.name)
                why = f"differs from what {origin} gives" if path.exists() else f"missing (generated from {origin})"
                print(f"  {display(path)}: {why}", file=sys.stderr)
            for path in extra:
                print(f"  {display(path)}: no {display(source / path.name)} to generate it from", file=sys.stderr)
            return 1
        print(f"unasync: {display(target)} is up to date ({len(expected)} files)")
        return 0

    target.mkdir(parents=True, exist_ok=True)
    for path in stale:
        path.write_text(expected[path])
        print(f"unasync: wrote {display(path)}")
    for path in extra:
        if not path.read_text().startswith(HEADER.split("{", 1)[0]):
            print(f"unasync: {display(path)} was not generated and has no source; move it", file=sys.stderr)
            return 1
        path.unlink()
        print(f"unasync: deleted {display(path)} (its source is gone)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
