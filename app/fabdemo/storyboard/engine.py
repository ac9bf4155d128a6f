"""Runs storyboard scenes on the live network through the service layer (the same path as the UI).

The engine executes a scene's actions in order, keeps every result for later ``${...}`` references,
checks the expected outcomes (result values, chaincode events in the action's block), and for a
customer-driven scene waits until the customer's transaction shows up on the ledger, or, when
rehearsing, performs it in the customer's place through the same API.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from fabdemo.service.errors import ServiceError
from fabdemo.storyboard import load, reefer
from fabdemo.storyboard.model import Action, EventMatch, Expectation, Scene, Storyboard, unmet_condition
from fabdemo.storyboard.template import TemplateError, lookup, resolve


class NetworkControl(Protocol):
    """Node and contract control the storyboards need (implemented over FabricNetwork)."""

    async def stop_node(self, name: str) -> dict[str, Any]: ...
    async def start_node(self, name: str) -> dict[str, Any]: ...
    async def add_org(self, key: str) -> dict[str, Any]: ...
    async def remove_org(self, key: str) -> dict[str, Any]: ...
    async def deploy_change(self, change: str) -> dict[str, Any]: ...
    async def restore(self, snapshot: str) -> float: ...
    async def status(self) -> dict[str, Any]: ...
    async def register_user(self, org: str, name: str, attrs: str | dict[str, str] | None) -> dict[str, Any]: ...
    async def revoke_user(self, org: str, name: str) -> dict[str, Any]: ...


@dataclass
class ActionReport:
    id: str | None
    kind: str
    label: str
    ok: bool
    elapsed_ms: float
    error: dict[str, Any] | None = None
    summary: str = ""
    summary_zh: str = ""  # the summary in Chinese, where it differs (a refusal, a skipped step)


@dataclass
class ExpectationReport:
    description: str
    ok: bool
    detail: str = ""


@dataclass
class SceneReport:
    storyboard: str
    scene: str
    title: str
    planned_minutes: float
    elapsed_s: float = 0.0
    passed: bool = True
    customer: str | None = None  # None, "performed", "simulated", "timeout"
    skipped: dict[str, str] | None = None  # {en, zh}: why the scene did not run on this network (only_on)
    actions: list[ActionReport] = field(default_factory=list)
    expectations: list[ExpectationReport] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class StoryRun:
    """The results of one pass through a storyboard: what ``${...}`` placeholders refer to."""

    def __init__(self, storyboard: Storyboard | None = None, variables: dict[str, Any] | None = None) -> None:
        self.storyboard = storyboard
        self.results: dict[str, dict[str, Any]] = {}
        self.variables = dict(variables or {})
        self.reports: list[SceneReport] = []

    def resolve(self, value: Any) -> Any:
        return resolve(value, self.results, self.variables)


def _record_skipped(run: StoryRun, action: Action) -> None:
    """A skipped step's result: its expectations pass as skipped, and later placeholders see it."""
    if action.id:
        run.results[action.id] = {"skipped": True, "error": None, "elapsedMs": 0.0}


class StoryEngine:
    def __init__(self, ledger: Any, control: NetworkControl, repo_root: Path) -> None:
        self.ledger = ledger  # fabdemo.service.LedgerService, over the same FabricNetwork as ``control``
        self.control = control
        self.repo_root = repo_root
        self._events: dict[str, list[dict[str, Any]]] = {}

    # -- where we run -------------------------------------------------------------------------------
    @property
    def network_kind(self) -> dict[str, str | None]:
        """What ``only_on`` conditions are checked against: the ordering service and the identity source.

        The control knows both (FabricControl reads them from the topology); a control that does not
        (a test double) leaves them unknown, and then nothing is skipped.
        """
        return {
            "consensus": getattr(self.control, "consensus", None),
            "identities": getattr(self.control, "identities", None),
        }

    def skip_reason(self, scene: Scene) -> dict[str, str] | None:
        """Why ``scene`` does not run on this network ({en, zh}), or None if it does."""
        return self._unmet(scene.only_on)

    def _unmet(self, only_on: list[str] | None) -> dict[str, str] | None:
        # Ask the network only when there is a condition (a network control may be a remote one).
        return unmet_condition(only_on, self.network_kind) if only_on else None

    # -- scenes --------------------------------------------------------------------------------------
    async def run_scene(
        self,
        run: StoryRun,
        scene: Scene,
        *,
        simulate_customer: bool,
        on_progress: Callable[[ActionReport], None] | None = None,
    ) -> SceneReport:
        story_id = run.storyboard.id if run.storyboard else "-"
        report = SceneReport(story_id, scene.id, scene.title.en, scene.minutes)
        report.skipped = self.skip_reason(scene)
        if report.skipped:  # e.g. the attribute scene on a cryptogen network: nothing runs, the story goes on
            for action in [*scene.actions, *([scene.customer.simulate] if scene.customer else [])]:
                _record_skipped(run, action)
            run.reports.append(report)
            return report
        started = time.perf_counter()
        queue = self.ledger.follower.subscribe(lossless=True)
        try:
            for action in scene.actions:
                outcome = await self.run_action(run, action)
                report.actions.append(outcome)
                if on_progress:
                    on_progress(outcome)
                if not outcome.ok:
                    break
            if scene.customer and all(a.ok for a in report.actions):
                report.customer = await self._customer_step(run, scene, queue, simulate_customer, report)
            self._drain(queue)
            for expectation in scene.expect:
                report.expectations.append(await self._check(run, expectation))
        finally:
            self.ledger.follower.unsubscribe(queue)
        report.elapsed_s = round(time.perf_counter() - started, 2)
        report.passed = (
            all(a.ok for a in report.actions)
            and all(e.ok for e in report.expectations)
            and report.customer != "timeout"
        )
        run.reports.append(report)
        return report

    # -- actions -------------------------------------------------------------------------------------
    async def run_action(self, run: StoryRun, action: Action) -> ActionReport:
        started = time.perf_counter()
        label = action.op or action.control or "?"
        kind = "op" if action.op else "control"
        skipped = self._unmet(action.only_on)
        if skipped:
            # A step for another kind of network (e.g. stopping the fourth orderer, which only BFT has).
            _record_skipped(run, action)
            return ActionReport(action.id, kind, label, True, 0.0, None, skipped["en"], skipped["zh"])
        record: dict[str, Any] = {}
        try:
            args = run.resolve(action.args)
            record = await self._execute(run, action, args)
            error = None
        except ServiceError as err:
            # ``key`` names a contract refusal precisely (FORBIDDEN because of ATTRIBUTE_REQUIRED).
            error = {"code": err.code, "key": err.key, "message": err.message, "message_zh": err.message_zh}
        except TemplateError as err:
            error = {"code": "STORYBOARD", "message": str(err)}
        except (TimeoutError, RuntimeError, OSError) as err:  # node control failed: report, don't crash the show
            error = {"code": "CONTROL_FAILED", "message": str(err).splitlines()[0] if str(err) else repr(err)}
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        if action.id:
            run.results[action.id] = {**record, "error": error, "elapsedMs": elapsed}
        ok = (
            error is None
            if action.expect_error is None
            else (error is not None and action.expect_error in (error["code"], error.get("key")))
        )
        summary, summary_zh = self._summary(action, record, error)
        if action.expect_error and error is None:
            summary = f"expected {action.expect_error}, but it succeeded"
            summary_zh = f"预期被拒绝（{action.expect_error}），但操作成功了"
        return ActionReport(action.id, kind, label, ok, elapsed, error, summary, summary_zh)

    async def _execute(self, run: StoryRun, action: Action, args: dict[str, Any]) -> dict[str, Any]:
        org = run.resolve(action.org) if action.org else None
        if action.op:
            user = run.resolve(action.user) if action.user else None
            return await self.ledger.perform(org, action.op, args, endorsing_orgs=action.endorse_with, user=user)
        control = action.control
        if control == "stop_node":
            return {"result": await self.control.stop_node(run.resolve(action.node))}
        if control == "start_node":
            return {"result": await self.control.start_node(run.resolve(action.node))}
        if control == "add_org":
            return {"result": await self.control.add_org(org)}
        if control == "remove_org":
            return {"result": await self.control.remove_org(org)}
        if control == "deploy_change":
            return {"result": await self.control.deploy_change(action.change)}
        if control == "network_status":
            return {"result": await self.control.status()}
        if control == "load":
            return {"result": await load.drive(self.ledger, org, args)}
        if control == "reefer":
            return await reefer.stream(self.ledger, org, args)
        if control == "register_user":  # the identity service's one path (make user, /api/identities)
            return {"result": await self.control.register_user(org, args["name"], args.get("attrs"))}
        if control == "revoke_user":
            return {"result": await self.control.revoke_user(org, args["name"])}
        if control == "call":
            return await self.ledger.call(org, action.function, args.get("arguments", []), submit=action.submit)
        if control == "check_document":
            document = (self.repo_root / action.file).read_bytes()
            if action.tamper:  # one changed character, as a forger would
                document = document.replace(b"2026", b"2027", 1)
            digest = hashlib.sha256(document).hexdigest()
            verify = {"lotId": args["lotId"], "certId": args["certId"], "sha256Hex": digest}
            outcome = await self.ledger.perform(org, "verify_certificate", verify)
            return {**outcome, "args": {**args, "sha256Hex": digest}}
        raise ServiceError("STORYBOARD", f"unknown control {control!r}")

    @staticmethod
    def _summary(action: Action, record: dict[str, Any], error: dict[str, Any] | None) -> tuple[str, str]:
        """One line for the presenter and the rehearsal report, in English and Chinese."""
        if error:
            return (
                f"{error['code']}: {error['message']}",
                f"{error['code']}：{error.get('message_zh') or error['message']}",
            )
        result = record.get("result")
        if action.control in ("register_user", "revoke_user") and isinstance(result, dict):
            name = result.get("name", "?")
            if action.control == "revoke_user":
                return f"{name} revoked; the CRL is in the channel config", f"{name} 已吊销；吊销列表已写入通道配置"
            attrs = ", ".join(f"{k}={v}" for k, v in (result.get("attrs") or {}).items())
            return (
                f"{name} enrolled ({attrs or 'no attributes'})",
                f"{name} 已登记并签发证书（{attrs or '无属性'}）",
            )
        proof = record.get("proof") or {}
        if proof.get("txId"):
            tx, block = proof["txId"][:12], proof.get("blockNumber")
            en, zh = f"tx {tx}… in block {block}", f"交易 {tx}… 在区块 {block}"
            if action.user and proof.get("signer"):  # who did it, from the certificate that signed it
                en, zh = f"{en}, signed by {proof['signer']}", f"{zh}，签名人 {proof['signer']}"
            return en, zh
        return "ok", "完成"

    # -- customer ------------------------------------------------------------------------------------
    async def _customer_step(
        self, run: StoryRun, scene: Scene, queue: asyncio.Queue, simulate: bool, report: SceneReport
    ) -> str:
        step = scene.customer
        assert step is not None
        wanted = EventMatch(event=step.wait_for.event, match=run.resolve(step.wait_for.match))
        if simulate:
            outcome = await self.run_action(run, step.simulate)
            report.actions.append(outcome)
            if not outcome.ok:
                return "failed"
        deadline = time.monotonic() + step.timeout_seconds
        while time.monotonic() < deadline:
            if self._seen(wanted):
                return "simulated" if simulate else "performed"
            try:
                message = await asyncio.wait_for(queue.get(), timeout=max(0.05, deadline - time.monotonic()))
            except TimeoutError:
                break
            self._take(message)
        return "simulated" if simulate and self._seen(wanted) else ("performed" if self._seen(wanted) else "timeout")

    async def wait_for_customer(self, run: StoryRun, scene: Scene, timeout: float) -> bool:
        """For the live presenter: wait for the customer's transaction; True once it is on the ledger."""
        step = scene.customer
        if step is None:
            return True
        wanted = EventMatch(event=step.wait_for.event, match=run.resolve(step.wait_for.match))
        queue = self.ledger.follower.subscribe(lossless=True)
        try:
            deadline = time.monotonic() + timeout
            while not self._seen(wanted):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                try:
                    self._take(await asyncio.wait_for(queue.get(), timeout=remaining))
                except TimeoutError:
                    return False
            return True
        finally:
            self.ledger.follower.unsubscribe(queue)

    # -- events ----------------------------------------------------------------------------------------
    def _drain(self, queue: asyncio.Queue) -> None:
        while not queue.empty():
            self._take(queue.get_nowait())

    def _take(self, message: dict[str, Any]) -> None:
        if message.get("type") != "block":
            return
        for tx in message["block"]["transactions"]:
            self._events[tx["txId"]] = tx["events"]

    def customer_tx(self, run: StoryRun, scene: Scene) -> dict[str, Any] | None:
        """The transaction that did the scene's customer step (for the debrief), once it is on the ledger."""
        if scene.customer is None:
            return None
        wanted = EventMatch(event=scene.customer.wait_for.event, match=run.resolve(scene.customer.wait_for.match))
        for tx_id, events in self._events.items():
            for event in events:
                if event["name"] == wanted.event and all(
                    str(event["payload"].get(k)) == str(v) for k, v in wanted.match.items()
                ):
                    return {"txId": tx_id, "event": event["name"], "payload": event["payload"]}
        return None

    def _seen(self, wanted: EventMatch) -> bool:
        for events in self._events.values():
            for event in events:
                if event["name"] == wanted.event and all(
                    str(event["payload"].get(k)) == str(v) for k, v in wanted.match.items()
                ):
                    return True
        return False

    # -- expectations --------------------------------------------------------------------------------
    async def _check(self, run: StoryRun, expectation: Expectation) -> ExpectationReport:
        record = run.results.get(expectation.action)
        if record is None:
            return ExpectationReport(f"{expectation.action}: ran", False, "the action did not run")
        if record.get("skipped"):
            return ExpectationReport(f"{expectation.action}: skipped", True, "the step is for another kind of network")
        if expectation.event:
            tx_id = (record.get("proof") or {}).get("txId")
            names = [e["name"] for e in self._events.get(tx_id, [])] if tx_id else []
            if tx_id and not names:
                await asyncio.sleep(0.2)
                names = [e["name"] for e in self._events.get(tx_id, [])]
            ok = expectation.event in names
            return ExpectationReport(f"{expectation.action} emits {expectation.event}", ok, f"events: {names}")
        try:
            value = lookup(record, expectation.path or "")
        except TemplateError as err:
            return ExpectationReport(f"{expectation.action}.{expectation.path}", False, str(err))
        description = f"{expectation.action}.{expectation.path}"
        if expectation.equals is not None:
            expected = run.resolve(expectation.equals)
            return ExpectationReport(f"{description} == {expected!r}", value == expected, f"got {value!r}")
        if expectation.contains is not None:
            expected = run.resolve(expectation.contains)
            return ExpectationReport(f"{description} contains {expected!r}", expected in value, f"got {value!r}")
        ok = isinstance(value, int | float) and value >= (expectation.at_least or 0)
        return ExpectationReport(f"{description} >= {expectation.at_least}", ok, f"got {value!r}")
