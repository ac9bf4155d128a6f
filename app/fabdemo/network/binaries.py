"""Locate or build the pinned Fabric binaries and find Fabric's sample node configs.

Two sources, in this order:
1. ``FABRIC_BIN`` pointing at a folder with the tools (for example an unpacked Fabric release);
2. a build cache outside the work tree (``~/.cache/fabric-demo-kit/fabric-<version>``), filled with
   ``go install`` from the Go module proxy at the pinned version. A fresh clone and CI reuse it.

Fabric's module is declared without a /v3 suffix, so ``go install <pkg>@v3.x`` is refused by Go; the
pinned pseudo-version is required from a small helper module instead, which is just as reproducible.

Fabric CA (``fabric-ca-server``, ``fabric-ca-client``) comes the same way, from ``FABRIC_CA_BIN`` or
``~/.cache/fabric-demo-kit/fabric-ca-<version>``, and only when a network uses CA identities. It is
also required from a helper module: ``go install ...fabric-ca/cmd/...@v1.5.15`` asks the proxy for the
module's version list (to look for a deprecation notice), which this proxy refuses, while resolving
the pinned version itself is allowed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fabdemo.network.topology import FabricCAPin, FabricPin

TOOLS = ("peer", "orderer", "osnadmin", "configtxgen", "configtxlator", "cryptogen")
CA_TOOLS = ("fabric-ca-server", "fabric-ca-client")
SAMPLE_CONFIGS = ("core.yaml", "orderer.yaml", "configtx.yaml")

Progress = Callable[[str], None]


class SetupError(RuntimeError):
    """Raised with a message that tells the user exactly what to do."""


@dataclass(frozen=True)
class FabricInstall:
    bin_dir: Path
    sampleconfig_dir: Path
    source: str  # "FABRIC_BIN" or "cache"

    def tool(self, name: str) -> Path:
        return self.bin_dir / name


def cache_root(cache_dir: Path, pin: FabricPin) -> Path:
    return cache_dir / f"fabric-{pin.version}"


def _stamp_path(root: Path) -> Path:
    return root / "install.json"


def _has_tools(bin_dir: Path) -> bool:
    return all(os.access(bin_dir / t, os.X_OK) for t in TOOLS)


def _has_sampleconfig(folder: Path) -> bool:
    return all((folder / f).is_file() for f in SAMPLE_CONFIGS)


def locate(cache_dir: Path, pin: FabricPin, fabric_bin: Path | None) -> FabricInstall | None:
    """Return an existing installation, or None when ``ensure`` still has work to do."""
    if fabric_bin is not None:
        if not _has_tools(fabric_bin):
            missing = [t for t in TOOLS if not os.access(fabric_bin / t, os.X_OK)]
            raise SetupError(f"FABRIC_BIN={fabric_bin} lacks {', '.join(missing)}; unset FABRIC_BIN to build them")
        sample = _sampleconfig_near(fabric_bin) or _cached_sampleconfig(cache_root(cache_dir, pin))
        if sample is None:
            return None
        return FabricInstall(fabric_bin, sample, "FABRIC_BIN")
    root = cache_root(cache_dir, pin)
    stamp = _stamp_path(root)
    if not stamp.is_file():
        return None
    data = json.loads(stamp.read_text())
    sample = Path(data.get("sampleconfig", ""))
    if data.get("module_version") != pin.module_version or not _has_tools(root / "bin"):
        return None
    if not _has_sampleconfig(sample):
        return None
    return FabricInstall(root / "bin", sample, "cache")


def _sampleconfig_near(bin_dir: Path) -> Path | None:
    # Fabric release archives ship bin/ next to config/.
    for candidate in (bin_dir.parent / "config", bin_dir.parent / "sampleconfig"):
        if _has_sampleconfig(candidate):
            return candidate
    return None


def _cached_sampleconfig(root: Path) -> Path | None:
    stamp = _stamp_path(root)
    if stamp.is_file():
        sample = Path(json.loads(stamp.read_text()).get("sampleconfig", ""))
        if _has_sampleconfig(sample):
            return sample
    return None


def ensure(cache_dir: Path, pin: FabricPin, fabric_bin: Path | None, progress: Progress) -> FabricInstall:
    """Return the installation, building what is missing. Idempotent: a second call does nothing."""
    found = locate(cache_dir, pin, fabric_bin)
    if found is not None:
        progress(f"Fabric {pin.version} binaries: {found.bin_dir} ({found.source})")
        return found
    go = shutil.which("go")
    if go is None:
        raise SetupError(
            "Neither Fabric binaries nor Go were found.\n"
            "  Either install Go 1.24 or newer (https://go.dev/doc/install; Debian: a Go tarball in "
            "/usr/local/go with /usr/local/go/bin on PATH)\n"
            f"  or point FABRIC_BIN at a folder holding {', '.join(TOOLS)} (Fabric {pin.version})."
        )
    root = cache_root(cache_dir, pin)
    module_dir = _write_tool_module(root, pin, TOOLS, "fabrictools", "Fabric")
    env = {**os.environ, "GOFLAGS": "-mod=mod", "GOBIN": str(root / "bin")}
    started = time.monotonic()
    progress(f"Resolving {pin.module}@{pin.module_version} (Fabric {pin.version}) from the Go module proxy...")
    _run([go, "mod", "tidy"], module_dir, env)
    ldflags = (
        f"-X {pin.module}/common/metadata.Version={pin.version} -X {pin.module}/common/metadata.CommitSHA={pin.commit}"
    )
    bin_dir = root / "bin"
    if fabric_bin is None:
        for index, tool in enumerate(TOOLS, start=1):
            if os.access(bin_dir / tool, os.X_OK) and _stamp_matches(root, pin):
                continue
            progress(f"  [{index}/{len(TOOLS)}] go install {tool} ({time.monotonic() - started:.0f}s elapsed)")
            _run([go, "install", "-trimpath", "-ldflags", ldflags, f"{pin.module}/cmd/{tool}"], module_dir, env)
    sample = Path(_run([go, "list", "-m", "-f", "{{.Dir}}", pin.module], module_dir, env).strip()) / "sampleconfig"
    if not _has_sampleconfig(sample):
        raise SetupError(f"Fabric's sampleconfig was not found in the module cache at {sample}")
    _stamp_path(root).write_text(
        json.dumps(
            {
                "module_version": pin.module_version,
                "version": pin.version,
                "sampleconfig": str(sample),
                "build_seconds": round(time.monotonic() - started, 1),
            }
        )
    )
    progress(f"Fabric {pin.version} ready in {time.monotonic() - started:.0f}s")
    return FabricInstall(fabric_bin or bin_dir, sample, "FABRIC_BIN" if fabric_bin else "cache")


def recorded_build_seconds(cache_dir: Path, pin: FabricPin) -> float | None:
    """How long the last build into the cache took (None when binaries came from FABRIC_BIN)."""
    stamp = _stamp_path(cache_root(cache_dir, pin))
    return json.loads(stamp.read_text()).get("build_seconds") if stamp.is_file() else None


def _stamp_matches(root: Path, pin: FabricPin | FabricCAPin) -> bool:
    """Whether the cache at ``root`` was built from the pinned module version."""
    stamp = _stamp_path(root)
    return stamp.is_file() and json.loads(stamp.read_text()).get("module_version") == pin.module_version


def _write_tool_module(
    root: Path, pin: FabricPin | FabricCAPin, tools: tuple[str, ...] | list[str], name: str, what: str
) -> Path:
    """A throwaway Go module that requires ``pin.module`` at the pinned version and imports its commands."""
    module_dir = root / "src"
    module_dir.mkdir(parents=True, exist_ok=True)
    go_mod = f"module fabricdemokit/{name}\n\ngo 1.24\n\nrequire {pin.module} {pin.module_version}\n"
    imports = "\n".join(f'\t_ "{pin.module}/cmd/{tool}"' for tool in tools)
    tools_go = (
        f"//go:build tools\n\n// Package tools pins {what}'s commands.\npackage tools\n\nimport (\n{imports}\n)\n"
    )
    if not (module_dir / "go.mod").is_file() or pin.module_version not in (module_dir / "go.mod").read_text():
        (module_dir / "go.mod").write_text(go_mod)
        (module_dir / "go.sum").unlink(missing_ok=True)
    (module_dir / "tools.go").write_text(tools_go)
    return module_dir


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SetupError(f"`{' '.join(cmd)}` failed in {cwd}:\n{proc.stderr.strip()[-3000:]}")
    return proc.stdout


# -- Fabric CA ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FabricCAInstall:
    bin_dir: Path
    source: str  # "FABRIC_CA_BIN" or "cache"

    @property
    def server(self) -> Path:
        return self.bin_dir / "fabric-ca-server"

    @property
    def client(self) -> Path:
        return self.bin_dir / "fabric-ca-client"


def ca_cache_root(cache_dir: Path, pin: FabricCAPin) -> Path:
    return cache_dir / f"fabric-ca-{pin.version}"


def _has_ca_tools(bin_dir: Path) -> bool:
    return all(os.access(bin_dir / t, os.X_OK) for t in CA_TOOLS)


def locate_ca(cache_dir: Path, pin: FabricCAPin, fabric_ca_bin: Path | None) -> FabricCAInstall | None:
    """The Fabric CA binaries if present (``FABRIC_CA_BIN`` first), else None."""
    if fabric_ca_bin is not None:
        if not _has_ca_tools(fabric_ca_bin):
            missing = [t for t in CA_TOOLS if not os.access(fabric_ca_bin / t, os.X_OK)]
            raise SetupError(
                f"FABRIC_CA_BIN={fabric_ca_bin} lacks {', '.join(missing)}; unset FABRIC_CA_BIN to build them"
            )
        return FabricCAInstall(fabric_ca_bin, "FABRIC_CA_BIN")
    root = ca_cache_root(cache_dir, pin)
    if not _stamp_matches(root, pin):
        return None
    return FabricCAInstall(root / "bin", "cache") if _has_ca_tools(root / "bin") else None


def ensure_ca(cache_dir: Path, pin: FabricCAPin, fabric_ca_bin: Path | None, progress: Progress) -> FabricCAInstall:
    """The Fabric CA binaries, built into the cache with ``go install`` when missing (a few minutes once)."""
    found = locate_ca(cache_dir, pin, fabric_ca_bin)
    if found is not None:
        progress(f"Fabric CA {pin.version} binaries: {found.bin_dir} ({found.source})")
        return found
    go = shutil.which("go")
    if go is None:
        raise SetupError(
            "IDENTITIES=ca needs the Fabric CA binaries, and neither they nor Go were found.\n"
            "  Either install Go 1.24 or newer, or point FABRIC_CA_BIN at a folder holding "
            f"{', '.join(CA_TOOLS)} (Fabric CA {pin.version}); or use IDENTITIES=cryptogen."
        )
    root = ca_cache_root(cache_dir, pin)
    module_dir = _write_tool_module(root, pin, CA_TOOLS, "fabriccatools", "Fabric CA")
    # fabric-ca-server stores identities in SQLite (go-sqlite3): cgo, so a C compiler is needed.
    env = {**os.environ, "GOFLAGS": "-mod=mod", "GOBIN": str(root / "bin"), "CGO_ENABLED": "1"}
    started = time.monotonic()
    progress(f"Building Fabric CA {pin.version} ({', '.join(CA_TOOLS)}) from the Go module proxy (once)...")
    _run([go, "mod", "tidy"], module_dir, env)
    _run([go, "install", "-trimpath", *(f"{pin.module}/cmd/{tool}" for tool in CA_TOOLS)], module_dir, env)
    _stamp_path(root).write_text(
        json.dumps(
            {
                "module_version": pin.module_version,
                "version": pin.version,
                "build_seconds": round(time.monotonic() - started, 1),
            }
        )
    )
    progress(f"Fabric CA {pin.version} ready in {time.monotonic() - started:.0f}s")
    return FabricCAInstall(root / "bin", "cache")
