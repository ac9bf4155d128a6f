"""Load the demo data set (``demos/seed.yaml``) through the service layer, like clicks in the UI."""

from __future__ import annotations

from collections.abc import Callable

from fabdemo.storyboard.engine import StoryEngine, StoryRun
from fabdemo.storyboard.model import SeedFile


class SeedError(RuntimeError):
    pass


async def load_seed(engine: StoryEngine, seed: SeedFile, progress: Callable[[str], None]) -> int:
    """Run every seed action in order; stop at the first failure. Returns the number of actions."""
    run = StoryRun()
    for index, action in enumerate(seed.actions, start=1):
        outcome = await engine.run_action(run, action)
        if not outcome.ok:
            raise SeedError(f"seed action {index} ({outcome.label}) failed: {outcome.summary}")
        if index % 10 == 0 or index == len(seed.actions):
            progress(f"  seeded {index}/{len(seed.actions)} actions")
    return len(seed.actions)
