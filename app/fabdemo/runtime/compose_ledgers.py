"""Snapshots under Compose: node data lives in named volumes, copied by a throwaway helper container.

The helper runs the orderer image (it has sh and cp), with the nodes' volumes and the snapshot folder
mounted, and no network. Copies are sparse, as natively: Raft's write-ahead log preallocates 64 MB files.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from fabdemo.network.layout import StateLayout
from fabdemo.network.nodes import NodeSpec
from fabdemo.network.placement import CONTAINER_DATA_DIR
from fabdemo.runtime import composefile as cf
from fabdemo.runtime.compose_project import PROJECT_LABEL, ComposeError, ComposeProject


class VolumeLedgers:
    def __init__(self, project: ComposeProject, layout: StateLayout) -> None:
        self.project = project
        self.layout = layout

    def save(self, specs: list[NodeSpec], folder: Path) -> None:
        """Copy the (stopped) nodes' data volumes into ``folder/<node name>``."""
        folder.mkdir(parents=True, exist_ok=True)
        data = _data_dir()
        script = self._copy_script(specs, lambda n: f"/v/{n}/{data}", lambda n: f"/snap/{n}")
        self._run(f"{script} && chown -R {self._owner()} /snap", self._mounts(specs, folder, to_snapshot=True))

    def load(self, specs: list[NodeSpec], folder: Path) -> None:
        """Replace the (stopped) nodes' data with ``folder/<node name>``."""
        data = _data_dir()
        script = self._copy_script(specs, lambda n: f"/snap/{n}", lambda n: f"/v/{n}/{data}")
        self._run(script, self._mounts(specs, folder, to_snapshot=False))

    def _mounts(self, specs: list[NodeSpec], folder: Path, *, to_snapshot: bool) -> dict[str, dict[str, str]]:
        """The nodes' volumes at /v/<node> and the snapshot folder at /snap; only the side written is rw."""
        node_mode, snap_mode = ("ro", "rw") if to_snapshot else ("rw", "ro")
        volumes = {self.project.volume(s.name): {"bind": f"/v/{s.name}", "mode": node_mode} for s in specs}
        volumes[str(folder.resolve())] = {"bind": "/snap", "mode": snap_mode}
        return volumes

    @staticmethod
    def _copy_script(specs: list[NodeSpec], source: Callable[[str], str], target: Callable[[str], str]) -> str:
        """One shell line that replaces each node's target folder with a sparse copy of its source folder."""
        return " && ".join(
            f"rm -rf {target(n)} && mkdir -p {target(n)} && cp -a --sparse=always {source(n)}/. {target(n)}/"
            for n in (s.name for s in specs)
        )

    def _owner(self) -> str:
        # Files the helper writes into the state dir belong to whoever owns the state dir.
        info = self.layout.root.stat()
        return f"{info.st_uid}:{info.st_gid}"

    def _run(self, script: str, volumes: dict[str, dict[str, str]]) -> None:
        import docker.errors

        container = self.project.docker.containers.run(
            self.project.images()["orderer"],
            ["sh", "-c", script],
            volumes=volumes,
            detach=True,
            user="0:0",
            network_mode="none",
            labels={PROJECT_LABEL: self.project.name, "fabdemo.role": "ledger-copy"},
        )
        try:
            exit_code = container.wait().get("StatusCode", 1)
            if exit_code != 0:
                output = container.logs().decode(errors="replace")
                raise ComposeError(f"copying ledgers failed ({exit_code}): {output.strip()[-2000:]}")
        finally:
            # v=True: the image's VOLUME folders would otherwise stay behind as anonymous volumes.
            with contextlib.suppress(docker.errors.APIError):
                container.remove(force=True, v=True)


def _data_dir() -> str:
    """Where a node's data sits inside its volume (the volume is mounted at cf.VOLUME_MOUNT)."""
    return CONTAINER_DATA_DIR.removeprefix(cf.VOLUME_MOUNT).strip("/")
