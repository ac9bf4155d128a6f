"""Storyboards as data: the schema that every ``demos/*.yaml`` file is validated against.

A storyboard is a list of scenes; a scene has a talk track in English and Chinese, a time budget, the
page the audience sees, actions on the live network (service-layer operations or node controls),
expected outcomes, and optionally a step the customer performs in their own browser. Adding a
storyboard is adding a YAML file: no code.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

MAX_BUDGET_MINUTES = 30
# What ``only_on`` may require of the network, by dimension: its ordering service (`make up CONSENSUS=`)
# and where its identities come from (`make up IDENTITIES=`). A list names one or more values; within a
# dimension any of them will do, across dimensions all must hold ([bft, ca]: SmartBFT with Fabric CAs).
CONDITIONS: dict[str, tuple[str, ...]] = {"consensus": ("raft", "bft"), "identities": ("cryptogen", "ca")}
# Why a step was skipped, shown in the presenter view and the rehearsal report (English, Chinese).
CONDITION_LABELS: dict[str, tuple[str, str]] = {
    "raft": ("Raft ordering", "Raft 排序服务"),
    "bft": ("SmartBFT ordering", "SmartBFT 排序服务"),
    "cryptogen": ("cryptogen identities", "cryptogen 身份"),
    "ca": ("Fabric CA identities", "Fabric CA 身份"),
}
Audience = Literal["executives", "developers", "architects", "operations", "general"]
Control = Literal[
    "stop_node",  # node: name -> the node's process/container stops
    "start_node",  # node: name -> started, waits until healthy and caught up
    "add_org",  # org: joinable org key -> onboarded live (channel update, peer, chaincode, role)
    "remove_org",
    "deploy_change",  # change: folder under demos/changes -> contract upgraded to the next sequence
    "check_document",  # file (+ tamper) -> sha256 compared with an anchored certificate
    "call",  # function (+ args, submit) -> any contract function, as a developer would call it
    "network_status",  # -> node health and heights (what the network page shows)
    "load",  # args: op, count, in_flight, args -> a burst of submits (the Performance page's scene)
    "reefer",  # args: lotId, seconds, batch_every, celsius, breach_at -> a live sensor stream, batched
    "register_user",  # org, args: name, attrs -> a user registered and enrolled with the org's Fabric CA
    "revoke_user",  # org, args: name -> revoked at the CA, its CRL put into the channel config
]


def check_condition(value: Any) -> list[str] | None:
    """``only_on``: one condition or a list of them, each a known value (error in English and Chinese)."""
    if value is None:
        return None
    values = [value] if isinstance(value, str) else value
    known = [v for choices in CONDITIONS.values() for v in choices]
    if not isinstance(values, list) or not values or any(v not in known for v in values):
        names = ", ".join(known)
        raise ValueError(
            f"only_on: {value!r} is not a condition; use one of {names}, or a list of them / "
            f"only_on：{value!r} 不是有效条件；请使用 {names} 之一或它们的列表"
        )
    return list(dict.fromkeys(values))


Condition = Annotated[
    list[str] | None,
    BeforeValidator(
        check_condition, json_schema_input_type=Literal["raft", "bft", "cryptogen", "ca"] | list[str] | None
    ),
]


def unmet_condition(only_on: list[str] | None, network: Mapping[str, str | None]) -> dict[str, str] | None:
    """Why a scene or step does not run on ``network`` ({"consensus": "raft", "identities": "ca"}), or None.

    A dimension the caller does not know (None) never skips: a step runs rather than vanish unseen.
    """
    for dimension, choices in CONDITIONS.items():
        wanted = [v for v in only_on or [] if v in choices]
        actual = network.get(dimension)
        if wanted and actual and actual not in wanted:
            en = " or ".join(CONDITION_LABELS[v][0] for v in wanted)
            zh = "或".join(CONDITION_LABELS[v][1] for v in wanted)
            return {"en": f"skipped: for {en} only", "zh": f"已跳过：仅适用于 {zh}"}
    return None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Text(Strict):
    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)


class Action(Strict):
    """One step on the live network. Exactly one of ``op`` (a service operation) or ``control``."""

    id: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    op: str | None = None
    control: Control | None = None
    org: str | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    node: str | None = None
    change: str | None = None
    function: str | None = None
    file: str | None = None
    tamper: bool = False
    submit: bool = False
    # Endorse with just these orgs (to show a transaction the endorsement policy refuses).
    endorse_with: list[str] | None = None
    # The action is expected to fail with this error code (a refusal is the point of the step).
    expect_error: str | None = None
    # Sign as this user of ``org`` (registered with the org's Fabric CA, e.g. by ``register_user``)
    # instead of the org's application user: the contract reads the user's certificate attributes.
    user: str | None = None
    # Run only on this kind of network (see CONDITIONS: raft, bft, cryptogen, ca, or a list); elsewhere
    # the step is skipped and reported with the reason, and so are the expectations on it.
    only_on: Condition = None
    note: Text | None = None

    @model_validator(mode="after")
    def one_kind(self) -> Action:
        if (self.op is None) == (self.control is None):
            raise ValueError("an action needs exactly one of 'op' or 'control'")
        needs = {"stop_node": "node", "start_node": "node", "deploy_change": "change", "call": "function"}
        field = needs.get(self.control or "")
        if field and not getattr(self, field):
            raise ValueError(f"control {self.control!r} needs '{field}'")
        if self.control in ("add_org", "remove_org") and not self.org:
            raise ValueError(f"control {self.control!r} needs 'org'")
        if self.control == "check_document" and not self.file:
            raise ValueError("control 'check_document' needs 'file'")
        if self.control in ("register_user", "revoke_user") and not (self.org and self.args.get("name")):
            raise ValueError(f"control {self.control!r} needs 'org' and args.name")
        if self.user and not self.op:
            raise ValueError("'user' signs an operation: it needs 'op'")
        return self


class Expectation(Strict):
    """An expected outcome of an action: a value in its result, or a chaincode event in its block."""

    action: str
    path: str | None = None  # dotted path into {args, result, proof, error}, e.g. result.status
    equals: Any = None
    contains: Any = None
    at_least: float | None = None
    event: str | None = None  # a chaincode event the action's transaction must have emitted

    @model_validator(mode="after")
    def has_check(self) -> Expectation:
        if self.event is None and self.path is None:
            raise ValueError("an expectation needs 'path' or 'event'")
        if self.path is not None and self.equals is None and self.contains is None and self.at_least is None:
            raise ValueError("an expectation with 'path' needs 'equals', 'contains' or 'at_least'")
        return self


class EventMatch(Strict):
    event: str
    match: dict[str, Any] = Field(default_factory=dict)  # payload fields that must be equal


class CustomerStep(Strict):
    """A step the customer does in their own browser; the engine waits for its ledger event."""

    prompt: Text
    page: str
    wait_for: EventMatch
    # What rehearsal does in the customer's place, through the same API.
    simulate: Action
    timeout_seconds: int = Field(default=180, ge=5, le=1800)


class Scene(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: Text
    minutes: float = Field(gt=0, le=15)
    page: str = "/"
    talk: Text
    actions: list[Action] = Field(default_factory=list)
    expect: list[Expectation] = Field(default_factory=list)
    customer: CustomerStep | None = None
    panel: Literal["value", "code", "network"] | None = None  # extra presenter widget for the scene
    code: dict[str, str] = Field(default_factory=dict)  # snippets shown in the scene (python, curl, go)
    # The whole scene runs only on this kind of network (as an action's ``only_on``); elsewhere it is
    # reported as skipped, with the reason, and the storyboard goes on.
    only_on: Condition = None


class Storyboard(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    audience: Audience
    title: Text
    summary: Text
    budget_minutes: float = Field(gt=0, le=MAX_BUDGET_MINUTES)
    seeded_lots: list[str] = Field(default_factory=list)  # seed lots the story relies on
    scenes: list[Scene] = Field(min_length=1)

    @property
    def planned_minutes(self) -> float:
        return round(sum(scene.minutes for scene in self.scenes), 2)

    @model_validator(mode="after")
    def consistent(self) -> Storyboard:
        if self.planned_minutes > self.budget_minutes:
            raise ValueError(f"scenes plan {self.planned_minutes} min, over the budget of {self.budget_minutes}")
        scene_ids = [s.id for s in self.scenes]
        if len(set(scene_ids)) != len(scene_ids):
            raise ValueError("scene ids must be unique")
        action_ids: list[str] = []
        for scene in self.scenes:
            for action in scene.actions:
                if action.id:
                    action_ids.append(action.id)
            if scene.customer and scene.customer.simulate.id:
                action_ids.append(scene.customer.simulate.id)
            for expectation in scene.expect:
                known = {a.id for a in scene.actions} | ({scene.customer.simulate.id} if scene.customer else set())
                if expectation.action not in known:
                    raise ValueError(f"scene {scene.id}: expectation refers to unknown action {expectation.action!r}")
        if len(set(action_ids)) != len(action_ids):
            raise ValueError("action ids must be unique within a storyboard")
        return self


class SeedFile(Strict):
    """``demos/seed.yaml``: the data set every demo starts from."""

    description: Text
    actions: list[Action]


def load_storyboard(path: Path) -> Storyboard:
    try:
        return Storyboard.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValueError as err:
        raise ValueError(f"{path.name}: {err}") from err


def load_all(folder: Path) -> list[Storyboard]:
    """Every storyboard in ``folder`` (files named ``*.story.yaml``), sorted by id."""
    return sorted((load_storyboard(p) for p in folder.glob("*.story.yaml")), key=lambda s: s.id)


def load_seed(path: Path) -> SeedFile:
    return SeedFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def json_schema() -> dict[str, Any]:
    return Storyboard.model_json_schema()
