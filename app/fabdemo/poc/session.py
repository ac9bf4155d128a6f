"""One ``make poc``: pick the network, run the criteria, time cold start and reset, write ``poc-report/``.

The network: the one the caller hands in (the tests), else the user's network when it is up (the
POC measures what the customer is shown), else a fresh one of the POC's own on its own state folder and
ports, stopped afterwards. Cold start and reset are never timed on the user's network (a reset would
rewind it): they use the POC's own network, or a scratch network next to the user's for a minute.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fabdemo import context
from fabdemo.bench import resources
from fabdemo.network.manager import FabricNetwork
from fabdemo.poc import criteria as c
from fabdemo.poc import machine, report, report_html
from fabdemo.poc.runner import PocRun, time_cold_start_and_reset
from fabdemo.poc.sampler import ResourceSampler
from fabdemo.settings import REPO_ROOT, Settings, get_settings

POC_PORT_OFFSET = 12400  # the POC's own network, when no network is up
SCRATCH_SHIFT = 50  # cold start / reset next to the user's network: its ports shifted by 50 more
POC_STATE = REPO_ROOT / ".bench" / "poc-state"
TIMED_ELSEWHERE = {"cold-start", "reset"}
Progress = Callable[[str], None]


def _is_up(network: FabricNetwork) -> bool:
    try:
        return network.is_bootstrapped() and network.nodes.all_running_and_healthy()
    except Exception:  # a state folder from another version, a half-removed one: not "up"
        return False


def run(
    spec: c.CriteriaFile,
    out_dir: Path,
    progress: Progress,
    *,
    network: FabricNetwork | None = None,
    settings: Settings | None = None,
    scratch: Settings | None = None,
    caliper: list[dict[str, Any]] | None = None,
    criteria_file: str = "",
) -> dict[str, Any]:
    """Run ``spec`` and write ``report.json`` and ``report.html`` into ``out_dir``; return the report."""
    began = time.monotonic()
    own: FabricNetwork | None = None
    mode = "given"
    if network is None:
        settings = settings or get_settings()
        user = context.open_network(settings, progress=progress)
        if _is_up(user):
            network, mode = user, "running"
            progress(f"using the running network ({settings.state_dir})")
        else:
            settings = Settings(
                state_dir=POC_STATE,
                port_offset=POC_PORT_OFFSET,
                fabric_bin=settings.fabric_bin,
                cache_dir=settings.cache_dir,
            )
            own = context.open_network(settings, progress=progress)
            network, mode = own, "own"
            progress(f"no network is up: starting one of the POC's own ({POC_STATE}, ports +{POC_PORT_OFFSET})")
    settings = settings or get_settings()
    kinds = {x.kind for x in spec.criteria}
    timings: dict[str, Any] = {}
    sampler = ResourceSampler(lambda: resources.network_nodes(network))
    try:
        if own is not None:
            # The POC's own network starts from nothing: its start-up is the cold start.
            timings |= time_cold_start_and_reset(own, 0, progress, fresh=True)
        sampler.start()
        run_ = PocRun(spec, network, settings, progress, sampler)
        asyncio.run(run_.run(TIMED_ELSEWHERE))
        sampler.mark("cold start / reset")
        timings |= _timed_elsewhere(spec, kinds, own, scratch, settings, progress)
        host = machine.describe(network)  # while the network is up: its chaincode servers count as nodes
    finally:
        sampler.stop()
        if own is not None:
            progress("stopping the POC's own network")
            own.down(lambda _m: None)
    results = dict(run_.results)
    for x in spec.criteria:
        if x.kind == "cold-start":
            results[x.id] = _seconds_result(timings.get("cold_start_s"), timings.get("cold_start_error"))
        elif x.kind == "reset":
            runs = timings.get("reset_runs_s") or []
            results[x.id] = _seconds_result(min(runs) if runs else None, timings.get("reset_error"), runs=runs)
    data = report.build(
        spec,
        results,
        machine=host,
        network_mode=mode,
        resources=sampler.to_dict(),
        capacity=run_.capacity,
        sweep=run_.sweep,
        blocks=run_.blocks,
        caliper=caliper,
        seconds=time.monotonic() - began,
        criteria_file=criteria_file,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out_dir / "report.html").write_text(report_html.render(data), encoding="utf-8")
    return data


def _seconds_result(seconds: float | None, error: str | None, **extra: Any) -> dict[str, Any]:
    if seconds is None:
        return {"measured": None, "error": error or "not measured"}
    return {"measured": {"seconds": seconds, **extra}, "error": None}


def _timed_elsewhere(
    spec: c.CriteriaFile,
    kinds: set[str],
    own: FabricNetwork | None,
    scratch: Settings | None,
    settings: Settings,
    progress: Progress,
) -> dict[str, Any]:
    """Cold start and reset: on the POC's own network, else on a scratch network started for them."""
    wanted = kinds & TIMED_ELSEWHERE
    if not wanted:
        return {}
    runs = max((x.runs for x in spec.criteria if isinstance(x, c.Reset)), default=0)
    try:
        if own is not None:
            return time_cold_start_and_reset(own, runs, progress, fresh=False)
        scratch = scratch or Settings(
            state_dir=REPO_ROOT / ".bench" / f"poc-scratch-{settings.port_offset + SCRATCH_SHIFT}",
            port_offset=settings.port_offset + SCRATCH_SHIFT,
            fabric_bin=settings.fabric_bin,
            cache_dir=settings.cache_dir,
        )
        progress(f"cold start and reset on a scratch network ({scratch.state_dir}, ports +{scratch.port_offset})")
        network = context.open_network(scratch, progress=progress)
        try:
            return time_cold_start_and_reset(network, runs if "reset" in wanted else 0, progress, fresh=True)
        finally:
            network.down(lambda _m: None)
    except Exception as err:  # a failed start-up is a FAIL of these criteria, not a crash of the report
        message = f"{type(err).__name__}: {err}"
        return {"cold_start_error": message, "reset_error": message}
