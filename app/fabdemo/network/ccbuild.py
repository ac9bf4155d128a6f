"""Build a chaincode project of any supported language into a runnable chaincode server.

Each language builds into ``<out_dir>/<name>_<hash>`` and is run by a command this module gives:

- go: ``go build`` -> one binary, run as is (the kit's provenance contract and scaffolded Go ones).
- typescript: ``npm ci`` (only when package-lock.json changed) and ``tsc`` in the project; the build
  folder holds ``dist/``, ``package.json`` and a hard-linked copy of ``node_modules``, run with node and
  fabric-shim's ``server`` command.
- java: ``mvn package`` (a shaded jar; ~/.m2 is the download cache, outside the work tree), run with
  ``java -jar``; the shim's ContractRouter serves as a chaincode server when CHAINCODE_SERVER_ADDRESS is set.

The hash names the build: it is taken over what runs (the binary, the compiled JavaScript and the lock
file, the jar), so an unchanged project gives the same hash and is not redeployed. Every build keeps
its own file or folder, so a server can always be restarted with the code its definition was made from.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from fabdemo.network.chaincode import ChaincodeBinary, build_binary

# Files that are outputs or caches of a build, never its input (mtime polling and source hashes skip them).
BUILD_OUTPUTS = frozenset({"node_modules", "dist", "target", ".git", "__pycache__", ".gradle", "build"})
NPM_STAMP = ".fabdemo-npm-lock.sha256"  # in node_modules: the lock file it was installed from


class ChaincodeBuildError(RuntimeError):
    """The contract does not compile (or its dependencies cannot be installed); ``output`` is the tool's."""

    def __init__(self, name: str, language: str, output: str) -> None:
        super().__init__(f"chaincode {name} ({language}) does not build:\n{output}")
        self.name = name
        self.language = language
        self.output = output


def _run(command: list[str], cwd: Path, name: str, language: str) -> None:
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip()
        raise ChaincodeBuildError(name, language, output[-4000:])


def _hash_files(paths: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def source_files(source_dir: Path) -> list[Path]:
    """The project's own files (what a change to should trigger a rebuild), build outputs left out."""
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(source_dir):
        dirnames[:] = [d for d in dirnames if d not in BUILD_OUTPUTS and not d.startswith(".")]
        files.extend(Path(dirpath) / f for f in filenames if not f.startswith("."))
    return files


def build(source_dir: Path, out_dir: Path, name: str, language: str) -> ChaincodeBinary:
    """Build ``source_dir`` (a ``language`` project) into ``out_dir``; raises ChaincodeBuildError."""
    if not source_dir.is_dir():
        raise ChaincodeBuildError(name, language, f"no project folder at {source_dir}")
    if language == "go":
        try:
            return build_binary(source_dir, out_dir, name)
        except RuntimeError as err:
            raise ChaincodeBuildError(name, language, str(err)) from None
    if language == "typescript":
        return _build_typescript(source_dir, out_dir, name)
    if language == "java":
        return _build_java(source_dir, out_dir, name)
    raise ChaincodeBuildError(name, language, f"unsupported language {language!r}")


def _publish(out_dir: Path, name: str, digest: str, fill: Callable[[Path], object]) -> ChaincodeBinary:
    """The build folder ``<name>_<digest>``: filled in a staging folder, then renamed into place, so a
    half-filled build never appears under its final name. An equal digest means equal sources: reused."""
    final = out_dir / f"{name}_{digest}"
    if not final.is_dir():
        staging = out_dir / f"{name}.build"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        fill(staging)
        staging.replace(final)
    return ChaincodeBinary(final, digest)


def _build_typescript(source_dir: Path, out_dir: Path, name: str) -> ChaincodeBinary:
    lock = source_dir / "package-lock.json"
    if not lock.is_file():
        raise ChaincodeBuildError(name, "typescript", f"{lock} is missing (run `npm install` once to create it)")
    lock_hash = hashlib.sha256(lock.read_bytes()).hexdigest()
    stamp = source_dir / "node_modules" / NPM_STAMP
    if not stamp.is_file() or stamp.read_text() != lock_hash:
        # npm's own cache (~/.npm) keeps the downloads outside the work tree.
        _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], source_dir, name, "typescript")
        stamp.write_text(lock_hash)
    _run([str(source_dir / "node_modules" / ".bin" / "tsc"), "-p", "."], source_dir, name, "typescript")
    dist = source_dir / "dist"
    js = [p for p in dist.rglob("*") if p.is_file() and not p.name.endswith(".map")]
    digest = _hash_files([*js, lock, source_dir / "package.json"], source_dir)

    def fill(staging: Path) -> None:
        shutil.copytree(dist, staging / "dist")
        shutil.copy2(source_dir / "package.json", staging / "package.json")
        # Hard links: a second or so instead of copying ~30 MB; npm ci replaces files, never edits them.
        _run(["cp", "-al", str(source_dir / "node_modules"), str(staging / "node_modules")], source_dir, name, "ts")

    return _publish(out_dir, name, digest, fill)


def _build_java(source_dir: Path, out_dir: Path, name: str) -> ChaincodeBinary:
    # -o (offline) would fail on a fresh machine; Maven only downloads what ~/.m2 lacks anyway.
    _run(["mvn", "-B", "-q", "-DskipTests", "package"], source_dir, name, "java")
    jar = source_dir / "target" / "chaincode.jar"
    if not jar.is_file():
        raise ChaincodeBuildError(name, "java", f"{jar} was not built (the pom's finalName must be 'chaincode')")
    # The shaded jar carries build times; the compiled classes and the pom (which pins the dependencies)
    # do not, so equal sources give an equal hash.
    classes = [p for p in (source_dir / "target" / "classes").rglob("*") if p.is_file()]
    digest = _hash_files([*classes, source_dir / "pom.xml"], source_dir)
    return _publish(out_dir, name, digest, lambda staging: shutil.copy2(jar, staging / "chaincode.jar"))


def _base64_copy(pem: Path) -> str:
    """``<pem>.b64``: the file's bytes base64-encoded, the form the Java shim's ``*_PATH`` variables take."""
    out = pem.with_name(pem.name + ".b64")
    if pem.is_file() and (not out.is_file() or out.stat().st_mtime < pem.stat().st_mtime):
        out.write_bytes(base64.b64encode(pem.read_bytes()))
    return str(out)


def server_command(language: str, build_path: Path, address: str, package_id: str, tls: Path) -> tuple[list[str], dict]:
    """The command and environment that serve this build as a chaincode service with TLS."""
    key, cert, ca = str(tls / "server.key"), str(tls / "server.crt"), str(tls / "ca.crt")
    if language == "go":
        env = {
            "CHAINCODE_SERVER_ADDRESS": address,
            "CHAINCODE_ID": package_id,
            "CHAINCODE_TLS_KEY_FILE": key,
            "CHAINCODE_TLS_CERT_FILE": cert,
        }
        return [str(build_path)], env
    if language == "typescript":
        node = shutil.which("node") or "node"
        command = [
            node,
            str(build_path / "node_modules" / "fabric-shim" / "cli.js"),
            "server",
            f"--chaincode-address={address}",
            f"--chaincode-id={package_id}",
            f"--chaincode-tls-key-file={key}",
            f"--chaincode-tls-cert-file={cert}",
            f"--module-path={build_path}",
        ]
        return command, {"CHAINCODE_SERVER_ADDRESS": address, "CORE_CHAINCODE_ID_NAME": package_id}
    if language == "java":
        java = shutil.which("java") or "java"
        # A small heap and the client compiler: a chaincode JVM per org on a laptop, started quickly.
        command = [
            java,
            "-Xmx192m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-jar",
            str(build_path / "chaincode.jar"),
        ]
        env = {
            "CHAINCODE_SERVER_ADDRESS": address,
            "CORE_CHAINCODE_ID_NAME": package_id,
            "CORE_PEER_TLS_ENABLED": "true",
            "CORE_TLS_CLIENT_KEY_FILE": key,
            "CORE_TLS_CLIENT_CERT_FILE": cert,
            # The shim also builds a (never dialled) client TLS context from these: base64 of the PEM files.
            "CORE_TLS_CLIENT_KEY_PATH": _base64_copy(tls / "server.key"),
            "CORE_TLS_CLIENT_CERT_PATH": _base64_copy(tls / "server.crt"),
            "CORE_PEER_TLS_ROOTCERT_FILE": ca,
        }
        return command, env
    raise ValueError(f"unsupported language {language!r}")
