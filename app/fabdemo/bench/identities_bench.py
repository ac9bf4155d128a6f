"""Cold start with cryptogen identities against Fabric CA identities (IDENTITIES=ca), side by side.

Each run starts from an empty state folder and ends when the chaincode is committed and the roles
are recorded (what ``make up`` waits for), on the native runtime. The network is taken down after
each run. The Fabric CA binaries are built first when missing, so their build is not counted.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from fabdemo import context
from fabdemo.settings import Settings


def _one(settings: Settings, chaincode_source: Path, log: Callable[[str], None]) -> float:
    network = context.open_network(settings, chaincode_source=chaincode_source)
    network.down(lambda _m: None)
    started = time.monotonic()
    try:
        network.up(lambda _m: None)
        return time.monotonic() - started
    finally:
        network.down(lambda _m: None)


def compare(base: Settings, chaincode_source: Path, log: Callable[[str], None], runs: int = 2) -> dict:
    """``{"cryptogen": {...}, "ca": {...}}``: best and median cold start of ``runs`` each."""
    figures: dict = {"runs": runs, "runtime": "native"}
    for source in ("cryptogen", "ca"):
        seconds = []
        for run in range(runs):
            # A state folder per run: every run gets new CA roots, and the health probes cache their TLS
            # context per CA file path.
            folder = base.state_dir / f"{source}-{run + 1}"
            settings = base.model_copy(update={"identities": source, "runtime": "native", "state_dir": folder})
            context.open_network(settings)  # builds the Fabric CA binaries first, outside the timing
            log(f"cold start with {source} identities ({run + 1}/{runs})")
            seconds.append(_one(settings, chaincode_source, log))
        figures[source] = {
            "best_s": round(min(seconds), 2),
            "median_s": round(statistics.median(seconds), 2),
            "seconds": [round(s, 2) for s in seconds],
        }
    figures["ca_over_cryptogen"] = round(figures["ca"]["best_s"] / figures["cryptogen"]["best_s"], 2)
    return figures


def main() -> None:
    """``python -m fabdemo.bench.identities_bench``: just this comparison, as JSON on stdout."""
    import json
    import sys

    from fabdemo.settings import get_settings

    settings = get_settings()
    work = settings.repo_root / ".bench"
    base = Settings(state_dir=work / "identities-state", port_offset=settings.port_offset or 11800)
    figures = compare(base, settings.chaincode_dir, lambda m: print(f"[bench] {m}", file=sys.stderr, flush=True))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
