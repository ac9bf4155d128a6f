"""The storyboards in demos/ are valid data: schema, budgets, references, pages that exist, ops that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from starlette.routing import Match

from fabdemo.api.app import create_app
from fabdemo.service.catalogue import OPERATIONS
from fabdemo.settings import REPO_ROOT
from fabdemo.storyboard.model import MAX_BUDGET_MINUTES, Storyboard, load_all, load_seed
from fabdemo.storyboard.template import TemplateError, resolve

DEMOS = REPO_ROOT / "demos"
STORIES = load_all(DEMOS)
OP_IDS = {op.id for op in OPERATIONS}


def test_three_audiences_within_budget() -> None:
    by_audience = {s.audience: s for s in STORIES}
    assert {"executives", "developers", "architects"} <= set(by_audience)
    assert 13 <= by_audience["executives"].planned_minutes <= 15
    for story in STORIES:
        assert story.planned_minutes <= story.budget_minutes <= MAX_BUDGET_MINUTES


@pytest.mark.parametrize("story", STORIES, ids=lambda s: s.id)
def test_every_action_names_a_known_operation(story: Storyboard) -> None:
    for scene in story.scenes:
        actions = [*scene.actions, *([scene.customer.simulate] if scene.customer else [])]
        for action in actions:
            assert action.op is None or action.op in OP_IDS, f"{scene.id}: unknown op {action.op}"
        assert scene.talk.en.strip() and scene.talk.zh.strip()


@pytest.mark.parametrize("story", STORIES, ids=lambda s: s.id)
def test_every_page_is_a_route_of_the_app(story: Storyboard) -> None:
    app = create_app(follow_blocks=False)
    for scene in story.scenes:
        pages = [scene.page, *([scene.customer.page] if scene.customer else [])]
        for page in pages:
            path = re.sub(r"\$\{[^}]+\}", "LOT-1", page).split("?")[0]
            scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
            assert any(route.matches(scope)[0] == Match.FULL for route in app.routes), f"{scene.id}: {page}"


def test_seed_uses_known_operations_and_fixed_ids() -> None:
    seed = load_seed(DEMOS / "seed.yaml")
    assert all(action.op in OP_IDS for action in seed.actions)
    assert "${" not in yaml.safe_dump([a.args for a in seed.actions])  # a reset must give the same lots


def test_schema_rejects_bad_storyboards(tmp_path: Path) -> None:
    good = yaml.safe_load((DEMOS / "executives.story.yaml").read_text())
    over = {**good, "budget_minutes": 10}
    with pytest.raises(ValueError, match="over the budget"):
        Storyboard.model_validate(over)
    too_long = {**good, "budget_minutes": 45}
    with pytest.raises(ValueError):
        Storyboard.model_validate(too_long)
    no_zh = yaml.safe_load((DEMOS / "executives.story.yaml").read_text())
    del no_zh["scenes"][0]["talk"]["zh"]
    with pytest.raises(ValueError):
        Storyboard.model_validate(no_zh)
    unknown_ref = yaml.safe_load((DEMOS / "executives.story.yaml").read_text())
    unknown_ref["scenes"][1]["expect"].append({"action": "nope", "event": "LotHarvested"})
    with pytest.raises(ValueError, match="unknown action"):
        Storyboard.model_validate(unknown_ref)


def test_placeholders_resolve_with_types() -> None:
    context = {"harvest": {"args": {"lotId": "STRAW-1", "quantity": 600}}}
    assert resolve("${harvest.args.quantity}", context) == 600
    assert resolve("/lots/${harvest.args.lotId}-A", context) == "/lots/STRAW-1-A"
    assert re.fullmatch(r"LOT-[0-9A-F]{6}", resolve("${new_id:LOT}", {}))
    assert resolve(["${var:store}"], {}, {"store": "CityMart"}) == ["CityMart"]
    with pytest.raises(TemplateError):
        resolve("${missing.args.lotId}", context)
