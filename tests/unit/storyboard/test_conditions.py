"""``only_on``: scenes and steps for one kind of network (consensus, identity source), skipped elsewhere.

Also the identity controls and signing as a named user, with a fake ledger and network control.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import yaml

from fabdemo.service.errors import ServiceError
from fabdemo.settings import REPO_ROOT
from fabdemo.storyboard.engine import StoryEngine, StoryRun
from fabdemo.storyboard.model import Action, Scene, load_storyboard, unmet_condition

RAFT_CRYPTOGEN = {"consensus": "raft", "identities": "cryptogen"}
RAFT_CA = {"consensus": "raft", "identities": "ca"}


class _Follower:
    def subscribe(self, lossless: bool = False) -> asyncio.Queue:
        return asyncio.Queue()

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        pass


class _Ledger:
    """Answers like the contract on a CA network: only a certificate with role=inspector may release."""

    def __init__(self) -> None:
        self.follower = _Follower()
        self.calls: list[tuple[str, str | None]] = []

    async def perform(self, org: str | None, op: str, args: dict[str, Any], **kw: Any) -> dict[str, Any]:
        user = kw.get("user")
        self.calls.append((op, user))
        if op == "release_quarantine" and not str(user).startswith("inspector"):
            raise ServiceError("FORBIDDEN", "needs role=inspector", key="ATTRIBUTE_REQUIRED")
        proof = {"txId": "ab" * 32, "blockNumber": 9, "valid": True, "signer": user}
        return {"args": args, "result": {"status": "HARVESTED"}, "proof": proof, "user": user}


class _Control:
    def __init__(self, consensus: str, identities: str) -> None:
        self.consensus = consensus
        self.identities = identities
        self.registered: list[tuple[str, str, Any]] = []

    async def register_user(self, org: str, name: str, attrs: Any) -> dict[str, Any]:
        self.registered.append((org, name, attrs))
        return {"org": org, "name": name, "attrs": {"role": "inspector"} if attrs else {}, "revoked": False}


def _engine(identities: str) -> tuple[StoryEngine, _Ledger, _Control]:
    ledger, control = _Ledger(), _Control("raft", identities)
    return StoryEngine(ledger, control, REPO_ROOT), ledger, control


SCENE = {
    "id": "attributes",
    "title": {"en": "Attributes", "zh": "属性"},
    "minutes": 1,
    "talk": {"en": "t", "zh": "讲"},
    "only_on": "ca",
    "actions": [
        {
            "id": "inspector",
            "control": "register_user",
            "org": "farm",
            "args": {"name": "${new_id:inspector}", "attrs": "role=inspector"},
        },
        {"id": "clerk", "control": "register_user", "org": "farm", "args": {"name": "${new_id:clerk}"}},
        {
            "id": "refused",
            "op": "release_quarantine",
            "org": "farm",
            "user": "${clerk.result.name}",
            "expect_error": "ATTRIBUTE_REQUIRED",
            "args": {"lotId": "L-1", "reason": "x"},
        },
        {
            "id": "released",
            "op": "release_quarantine",
            "org": "farm",
            "user": "${inspector.result.name}",
            "args": {"lotId": "L-1", "reason": "ok"},
        },
    ],
    "expect": [{"action": "released", "path": "proof.signer", "equals": "${inspector.result.name}"}],
}


@pytest.mark.parametrize("value", ["ca", ["bft", "ca"], ["cryptogen"]])
def test_only_on_takes_a_condition_or_a_list(value: Any) -> None:
    action = Action(op="harvest", only_on=value)
    assert action.only_on == ([value] if isinstance(value, str) else value)
    assert Scene.model_validate({**SCENE, "only_on": value}).only_on == action.only_on


@pytest.mark.parametrize("value", ["kafka", ["ca", "ldap"], [], 3])
def test_an_unknown_condition_is_refused_in_both_languages(value: Any) -> None:
    with pytest.raises(ValueError, match="is not a condition; use one of raft, bft, cryptogen, ca") as err:
        Action(op="harvest", only_on=value)
    assert "不是有效条件" in str(err.value)
    with pytest.raises(ValueError, match="不是有效条件"):
        Scene.model_validate({**SCENE, "only_on": value})


def test_conditions_hold_per_dimension() -> None:
    assert unmet_condition(None, RAFT_CRYPTOGEN) is None
    assert unmet_condition(["ca"], RAFT_CA) is None
    assert unmet_condition(["ca"], RAFT_CRYPTOGEN) == {
        "en": "skipped: for Fabric CA identities only",
        "zh": "已跳过：仅适用于 Fabric CA 身份",
    }
    assert unmet_condition(["raft", "bft"], RAFT_CRYPTOGEN) is None  # either ordering service
    assert unmet_condition(["bft", "ca"], RAFT_CA)["en"] == "skipped: for SmartBFT ordering only"  # type: ignore[index]
    assert unmet_condition(["cryptogen"], RAFT_CA)["zh"] == "已跳过：仅适用于 cryptogen 身份"  # type: ignore[index]
    assert unmet_condition(["ca"], {"consensus": "raft", "identities": None}) is None  # unknown: run it


def test_a_ca_scene_is_skipped_with_its_reason_on_cryptogen_and_nothing_runs() -> None:
    engine, ledger, control = _engine("cryptogen")
    run = StoryRun()
    report = asyncio.run(engine.run_scene(run, Scene.model_validate(SCENE), simulate_customer=True))
    assert report.passed and report.actions == [] and report.expectations == []
    assert report.skipped == {"en": "skipped: for Fabric CA identities only", "zh": "已跳过：仅适用于 Fabric CA 身份"}
    assert report.to_dict()["skipped"]["en"].endswith("Fabric CA identities only")
    assert ledger.calls == [] and control.registered == []
    assert run.results["released"]["skipped"] and run.reports == [report]


def test_a_ca_scene_registers_users_through_the_control_and_signs_as_them() -> None:
    engine, ledger, control = _engine("ca")
    run = StoryRun()
    report = asyncio.run(engine.run_scene(run, Scene.model_validate(SCENE), simulate_customer=True))
    assert report.skipped is None and report.passed, report
    inspector, clerk = (name for _org, name, _attrs in control.registered)
    assert inspector.startswith("inspector-") and clerk.startswith("clerk-")
    assert control.registered[0][2] == "role=inspector" and control.registered[1][2] is None
    assert ledger.calls == [("release_quarantine", clerk), ("release_quarantine", inspector)]
    refused = report.actions[2]
    assert refused.ok and refused.error["key"] == "ATTRIBUTE_REQUIRED"  # matched by the contract's key
    assert refused.summary.startswith("FORBIDDEN") and refused.summary_zh.startswith("FORBIDDEN：")
    assert report.expectations[0].ok
    assert report.actions[0].summary == f"{inspector} enrolled (role=inspector)"
    assert report.actions[1].summary_zh == f"{clerk} 已登记并签发证书（无属性）"
    assert report.actions[3].summary.endswith(f"signed by {inspector}") and inspector in report.actions[3].summary_zh


def test_a_step_for_ca_is_skipped_with_both_languages_on_cryptogen() -> None:
    engine, ledger, _control = _engine("cryptogen")
    action = Action(id="only_ca", op="harvest", org="farm", only_on="ca")
    report = asyncio.run(engine.run_action(StoryRun(), action))
    assert report.ok and report.summary == "skipped: for Fabric CA identities only"
    assert report.summary_zh == "已跳过：仅适用于 Fabric CA 身份" and ledger.calls == []


def test_identity_controls_and_user_are_checked() -> None:
    with pytest.raises(ValueError, match=r"needs 'org' and args\.name"):
        Action(control="register_user", args={"name": "bob"})
    with pytest.raises(ValueError, match=r"needs 'org' and args\.name"):
        Action(control="revoke_user", org="farm")
    with pytest.raises(ValueError, match="it needs 'op'"):
        Action(control="network_status", user="bob")


def test_the_architects_attribute_scene_runs_only_on_ca() -> None:
    story = load_storyboard(REPO_ROOT / "demos" / "architects.story.yaml")
    ids = [s.id for s in story.scenes]
    assert ids.index("attributes") == ids.index("identities") + 1
    scene = story.scenes[ids.index("attributes")]
    assert scene.only_on == ["ca"] and story.planned_minutes <= story.budget_minutes
    ops = [(a.op or a.control, a.user is not None, a.expect_error) for a in scene.actions]
    assert ("release_quarantine", True, "ATTRIBUTE_REQUIRED") in ops and ("release_quarantine", True, None) in ops
    assert ("register_user", False, None) in ops and ("revoke_user", False, None) in ops
    # the other storyboards keep running everywhere
    raw = yaml.safe_load((REPO_ROOT / "demos" / "executives.story.yaml").read_text())
    assert not any(s.get("only_on") for s in raw["scenes"])


@pytest.mark.parametrize("identities", ["cryptogen", "ca"])
def test_the_presenter_says_before_running_that_a_scene_is_for_ca_only(identities: str) -> None:
    from fabdemo.storyboard.presenter import PresenterSession

    engine, _ledger, _control = _engine(identities)
    session = PresenterSession(engine, REPO_ROOT / "demos")
    session.select("architects")
    session.go(1)
    state = session.presenter_state()
    assert state["scene"]["id"] == "attributes"
    expected = {"en": "skipped: for Fabric CA identities only", "zh": "已跳过：仅适用于 Fabric CA 身份"}
    assert state["skipped"] == (expected if identities == "cryptogen" else None)
    signers = [a["user"] for a in state["actions"] if a["user"]]
    assert signers == ["clerk", "inspector", "inspector"]  # named by their step until it has run
    session.go(0)
    assert session.presenter_state()["skipped"] is None
