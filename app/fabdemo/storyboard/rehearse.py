"""``make rehearse``: every storyboard, unattended, on the real network, with a report per scene.

Each storyboard starts from the seeded snapshot (as it would in a meeting after `make reset`),
customer steps are performed in the customer's place through the same API, and every expected
outcome is checked. The network is reset to the seeded state at the end.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fabdemo.network.manager import FabricNetwork
from fabdemo.service.ledger import LedgerService
from fabdemo.settings import Settings
from fabdemo.storyboard.control import FabricControl
from fabdemo.storyboard.engine import SceneReport, StoryEngine, StoryRun
from fabdemo.storyboard.model import Storyboard, load_all, load_seed
from fabdemo.storyboard.seed import load_seed as run_seed

SEEDED = "seeded"


@dataclass
class StoryboardReport:
    id: str
    audience: str
    budget_minutes: float
    planned_minutes: float
    elapsed_s: float = 0.0
    passed: bool = True
    scenes: list[SceneReport] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "audience": self.audience,
            "budget_minutes": self.budget_minutes,
            "planned_minutes": self.planned_minutes,
            "within_budget": self.planned_minutes <= self.budget_minutes,
            "elapsed_s": self.elapsed_s,
            "passed": self.passed,
            "scenes": [s.to_dict() for s in self.scenes],
        }


async def ensure_seeded(network: FabricNetwork, settings: Settings, progress: Callable[[str], None]) -> bool:
    """Load demos/seed.yaml once and snapshot the result as "seeded". Returns True if it seeded now."""
    if network.state.seeded and network.has_snapshot(SEEDED):
        return False
    seed = load_seed(settings.repo_root / "demos" / "seed.yaml")
    progress(f"Loading the demo data set ({len(seed.actions)} actions)")
    async with LedgerService(network, follow_blocks=False) as ledger:
        engine = StoryEngine(ledger, FabricControl(network, settings.repo_root), settings.repo_root)
        await run_seed(engine, seed, progress)
    network.mark_seeded()
    seconds = network.save_snapshot(SEEDED, progress)
    progress(f"Snapshot '{SEEDED}' saved in {seconds:.1f}s (make reset returns here)")
    return True


async def rehearse_storyboard(
    network: FabricNetwork, settings: Settings, story: Storyboard, progress: Callable[[str], None]
) -> StoryboardReport:
    report = StoryboardReport(story.id, story.audience, story.budget_minutes, story.planned_minutes)
    if network.has_snapshot(SEEDED):
        network.restore_snapshot(SEEDED, progress)
    async with LedgerService(network) as ledger:
        engine = StoryEngine(ledger, FabricControl(network, settings.repo_root), settings.repo_root)
        run = StoryRun(story)
        for scene in story.scenes:
            scene_report = await engine.run_scene(run, scene, simulate_customer=True)
            report.scenes.append(scene_report)
            if scene_report.skipped:  # meant for another kind of network: say so, and go on
                progress(f"  SKIP {story.id}/{scene.id} ({scene_report.skipped['en'].removeprefix('skipped: ')})")
                continue
            mark = "PASS" if scene_report.passed else "FAIL"
            progress(f"  {mark} {story.id}/{scene.id} ({scene.minutes:g} min planned, {scene_report.elapsed_s:.1f}s)")
            if not scene_report.passed:
                for item in [*scene_report.actions, *scene_report.expectations]:
                    if not item.ok:
                        progress(
                            f"       {getattr(item, 'label', '') or getattr(item, 'description', '')}: "
                            f"{getattr(item, 'summary', '') or getattr(item, 'detail', '')}"
                        )
                report.passed = False
                break
    report.elapsed_s = round(sum(s.elapsed_s for s in report.scenes), 2)
    return report


async def rehearse_all(
    network: FabricNetwork,
    settings: Settings,
    progress: Callable[[str], None],
    only: list[str] | None = None,
) -> dict[str, Any]:
    await ensure_seeded(network, settings, progress)
    stories = [s for s in load_all(settings.repo_root / "demos") if not only or s.id in only]
    reports = []
    for story in stories:
        progress(f"Rehearsing '{story.id}' ({story.planned_minutes:g} of {story.budget_minutes:g} min)")
        reports.append(await rehearse_storyboard(network, settings, story, progress))
    reset_seconds = network.restore_snapshot(SEEDED, progress)
    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "passed": all(r.passed for r in reports),
        "consensus": network.topology.consensus,
        "identities": network.topology.identities,
        "storyboards": [r.to_dict() for r in reports],
        "reset_after_s": round(reset_seconds, 2),
    }


def write_report(report: dict[str, Any], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"rehearsal-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2))
    return path
