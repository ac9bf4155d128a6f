"""The debrief after a presentation (sales enablement, shared/seeds 002): what happened, and what next.

Built from the live :class:`~fabdemo.storyboard.presenter.PresenterSession`, never stored:

- every scene with the time spent on it against its budget (scenes never opened are listed as skipped);
- what the customer drove (their own transaction on the ledger, or the presenter's stand-in), and the
  transactions each scene's run committed (id and block, the ledger proof);
- the value panel's figures with the customer's own inputs (the same formula the panel shows);
- a draft ``poc/criteria.yaml`` (:mod:`fabdemo.poc.criteria`): the criteria that follow from what was
  shown (a failure scene -> a resilience criterion, the private price -> privacy, a recall -> trace
  time, a load burst -> throughput at the rate the room saw) plus the ones every POC needs, commented
  so the team can edit the targets with the customer.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from fabdemo.storyboard.model import Scene
    from fabdemo.storyboard.presenter import PresenterSession

# The value panel's inputs (present.js) and its formula: recalls x cost x unaffected share + counterfeit
# loss x reduction.
VALUE_FIELDS = ("recalls", "cost", "days", "share", "counterfeit", "cut")


def value_saving(v: dict[str, float]) -> float:
    return v["recalls"] * v["cost"] * (v["share"] / 100) + v["counterfeit"] * (v["cut"] / 100)


def _transactions(session: PresenterSession, scene: Scene) -> list[dict[str, Any]]:
    run = session.run
    out = []
    actions = list(scene.actions) + ([scene.customer.simulate] if scene.customer else [])
    for action in actions:
        record = run.results.get(action.id or "") if run and action.id else None
        if not record:
            continue
        proof = record.get("proof") or {}
        result = record.get("result") if isinstance(record.get("result"), dict) else {}
        out.append(
            {
                "action": action.id,
                "op": action.op or action.control,
                "org": action.org,
                "txId": proof.get("txId"),
                "block": proof.get("blockNumber"),
                "ok": record.get("error") is None,
                "error": (record.get("error") or {}).get("message"),
                # a load burst reports its own figures
                "committed": result.get("committed"),
                "tps": result.get("tps"),
            }
        )
    return out


def _customer(session: PresenterSession, scene: Scene) -> dict[str, Any] | None:
    if scene.customer is None:
        return None
    tx = session.customer_tx.get(scene.id)
    how = tx["how"] if tx else None
    return {
        "prompt": scene.customer.prompt.model_dump(),
        "done": scene.id in session.customer_done,
        "how": how,  # "customer" (their own browser), "presenter" (done for them) or None
        "txId": tx.get("txId") if tx else None,
        "event": tx.get("event") if tx else None,
        "payload": tx.get("payload") if tx else None,
    }


def build(session: PresenterSession) -> dict[str, Any]:
    """The debrief of the current (or last) storyboard; ``{"storyboard": None}`` before one was chosen."""
    story = session.story
    if story is None:
        return {"storyboard": None}
    spent = session.seconds_by_scene()
    scenes = []
    for index, scene in enumerate(story.scenes):
        seconds = spent.get(scene.id, 0.0)
        report = session.reports.get(scene.id)
        scenes.append(
            {
                "index": index,
                "id": scene.id,
                "title": scene.title.model_dump(),
                "budgetMinutes": scene.minutes,
                "seconds": round(seconds, 2),
                "shown": scene.id in spent,
                "over": seconds > scene.minutes * 60,
                "ran": report is not None,
                "passed": report.passed if report else None,
                "transactions": _transactions(session, scene),
                "customer": _customer(session, scene),
            }
        )
    value = None
    if session.value_inputs is not None:
        value = {"inputs": dict(session.value_inputs), "saving": round(value_saving(session.value_inputs), 2)}
    total = sum(spent.values())
    return {
        "storyboard": {"id": story.id, "title": story.title.model_dump(), "audience": story.audience},
        "startedAt": session.started_at,
        "generatedAt": time.time(),
        "budgetMinutes": story.budget_minutes,
        "seconds": round(total, 1),
        "over": total > story.budget_minutes * 60,
        "scenes": scenes,
        "shown": sum(1 for s in scenes if s["shown"]),
        "customerSteps": [
            {"scene": s["id"], "title": s["title"], **s["customer"]} for s in scenes if s["customer"] is not None
        ],
        "value": value,
        "criteriaYaml": draft_criteria(session, scenes),
    }


# -- the draft criteria ----------------------------------------------------------------------------------


def _label(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


def _shown_ops(session: PresenterSession, scenes: list[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """The operations and controls of the scenes that were shown, and the nodes they stopped."""
    story = session.story
    assert story is not None
    ops: set[str] = set()
    stopped: set[str] = set()
    for scene, shown in zip(story.scenes, scenes, strict=True):
        if not shown["shown"]:
            continue
        for action in scene.actions:
            ops.add(action.op or action.control or "")
            if action.control == "stop_node" and action.node:
                stopped.add("raft-leader" if action.node == "orderer-leader" else "peer")
    return ops, stopped


def _burst_tps(scenes: list[dict[str, Any]]) -> float | None:
    rates = [t["tps"] for s in scenes for t in s["transactions"] if t.get("tps")]
    return max(rates) if rates else None


def draft_criteria(session: PresenterSession, scenes: list[dict[str, Any]]) -> str:
    """A criteria file that :func:`fabdemo.poc.criteria.parse` accepts, with the reasons as comments."""
    story = session.story
    assert story is not None
    ops, faults = _shown_ops(session, scenes)
    seen_tps = _burst_tps(scenes)
    criteria: list[dict[str, Any]] = []
    reasons: list[str] = []
    # Throughput: what a POC is judged on first; the room's own burst is the starting target.
    target = max(10, int(seen_tps * 0.8)) if seen_tps else 50
    criteria.append(
        {
            "id": "harvest-throughput",
            "label": _label("Harvests committed per second", "每秒提交的采收交易"),
            "kind": "throughput",
            "operation": "harvest",
            "args": {"lotId": "POC-{uid}"},
            "duration_s": 30,
            "rate_control": {"type": "fixed-rate", "opts": {"tps": target}},
            "target": {"min_tps": round(target * 0.95, 1), "max_p95_ms": 3000, "max_failure_rate": 0.01},
        }
    )
    reasons.append(
        f"harvest-throughput: {seen_tps} tx/s in the room's load burst; the target is 80% of it"
        if seen_tps
        else "harvest-throughput: every POC states a peak rate; 50 tx/s is a placeholder, ask the customer"
    )
    criteria.append(
        {
            "id": "lot-lookup-latency",
            "label": _label("One lot looked up", "查询单个批次"),
            "kind": "latency",
            "operation": "get_lot",
            "args": {"lotId": "{lot}"},
            "count": 50,
            "target": {"max_p95_ms": 500},
        }
    )
    reasons.append("lot-lookup-latency: what one user waits for on the lot page")
    if {"recall", "trace"} & ops:
        days = (session.value_inputs or {}).get("days")
        criteria.append(
            {
                "id": "recall-trace",
                "label": _label("Trace a recalled lot to every package", "追溯被召回批次的所有包装"),
                "kind": "trace",
                "descendants": 20,
                "samples": 20,
                "target": {"max_p95_ms": 2000},
            }
        )
        reasons.append(
            "recall-trace: the recall scene was shown"
            + (f"; today the customer needs {days:g} days to trace a lot" if days else "")
        )
    for fault in sorted(faults):
        criteria.append(
            {
                "id": f"survive-{fault}",
                "label": _label(
                    "Nothing lost when the Raft leader fails"
                    if fault == "raft-leader"
                    else "Nothing lost when a peer fails",
                    "排序主节点故障时不丢交易" if fault == "raft-leader" else "Peer 故障时不丢交易",
                ),
                "kind": "resilience",
                "fault": fault,
                "submits": 200,
                "in_flight": 16,
                "target": {"max_lost": 0, "min_success_rate": 0.95},
            }
        )
        reasons.append(f"survive-{fault}: the {fault} failure scene was shown")
    if {"set_price", "get_price"} & ops or any(s["id"] == "privacy" and s["shown"] for s in scenes):
        criteria.append(
            {
                "id": "price-privacy",
                "label": _label("The farm cannot read a private price", "农场无法读取私有价格"),
                "kind": "privacy",
            }
        )
        reasons.append("price-privacy: the private price scene was shown")
    document = {
        "title": _label(f"POC after the {story.id} demo", f"{story.title.zh} 演示之后的概念验证"),
        "org": "farm",
        "criteria": criteria,
    }
    when = dt.datetime.fromtimestamp(session.started_at or time.time(), dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    shown = [s["id"] for s in scenes if s["shown"]]
    header = [
        f"# Draft POC criteria from the {story.id} demo of {when} (the presenter view's debrief).",
        f"# Scenes shown: {', '.join(shown) or 'none'}.",
        "# Why each criterion is here:",
        *[f"#   - {reason}" for reason in reasons],
        "# Edit the targets with the customer, then run: make poc CRITERIA=<this file>",
    ]
    if session.value_inputs:
        v = session.value_inputs
        header.append(
            f"# Customer's figures: {v['recalls']:g} recalls/year at {v['cost']:,.0f} each, "
            f"{v['days']:g} days to trace, {v['share']:g}% pulled but unaffected, "
            f"{v['counterfeit']:,.0f} lost to counterfeits/year "
            f"(saving estimated {value_saving(v):,.0f}/year)."
        )
    return "\n".join(header) + "\n" + yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
