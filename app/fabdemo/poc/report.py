"""The report's data (``report.json``): every criterion with its figures, method, verdict, and the machine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fabdemo.poc import criteria as c
from fabdemo.poc.verdict import judge


def _rate(criterion: c.Load) -> tuple[str, str]:
    rc = criterion.rate_control
    o = rc.opts
    if rc.type == "fixed-rate":
        return f"fixed-rate {o['tps']:g} TPS", f"固定速率 {o['tps']:g} TPS"
    if rc.type == "fixed-load":
        return f"fixed-load, {o['transactionLoad']:g} in flight", f"固定负载，{o['transactionLoad']:g} 笔并发"
    return (
        f"linear-rate {o['startingTps']:g} -> {o['finishingTps']:g} TPS",
        f"线性速率 {o['startingTps']:g} → {o['finishingTps']:g} TPS",
    )


def method(criterion: Any, org: str) -> dict[str, str]:
    """How the figure was measured, in words, in both languages."""
    if isinstance(criterion, c.Load):
        en_rate, zh_rate = _rate(criterion)
        if isinstance(criterion, c.Mix):
            ops = ", ".join(f"{e.operation}×{e.weight:g}" for e in criterion.operations)
        else:
            ops = criterion.operation
        return {
            "en": f"{ops} as {org} through the service layer (the REST API's path), {en_rate} for "
            f"{criterion.duration_s:g}s; each submit waits for its commit. Throughput = successes / (last answer - "
            "first send), Caliper's definition; p95 over successful transactions.",
            "zh": f"以 {org} 身份经服务层（与 REST API 同一路径）执行 {ops}，{zh_rate}，"
            f"持续 {criterion.duration_s:g} 秒；每笔提交等待上链确认。"
            "吞吐量 = 成功笔数 /（最后应答 − 首次发送），与 Caliper 定义一致；p95 取自成功交易。",
        }
    if isinstance(criterion, c.Latency):
        return {
            "en": f"{criterion.count} lone {criterion.operation} transactions as {org}, one after another "
            "(fixed-load 1), after one warm-up; submit-to-commit time.",
            "zh": f"以 {org} 身份逐笔执行 {criterion.count} 笔 {criterion.operation}（固定负载 1），先预热一笔；"
            "从提交到上链确认的时间。",
        }
    if isinstance(criterion, c.Trace):
        return {
            "en": f"Harvest a lot, hand it to the processor, split it into {criterion.descendants} packages; "
            f"then TraceLot as the farm {criterion.samples} times.",
            "zh": f"采收一个批次，交给加工方，拆分为 {criterion.descendants} 个包装；然后以农场身份执行 TraceLot "
            f"{criterion.samples} 次。",
        }
    if isinstance(criterion, c.Resilience):
        node = "the Raft leader" if criterion.fault == "raft-leader" else "a peer that is not the caller's gateway"
        node_zh = "Raft 领导者" if criterion.fault == "raft-leader" else "一个非调用方网关的 Peer"
        return {
            "en": f"{criterion.submits} harvests through the REST API, {criterion.in_flight} in flight; SIGKILL "
            f"{node} a fifth of the way in, restart it; then every lot is looked up on the ledger: an acknowledged "
            "lot that is missing is lost. Success rate over the answered submits.",
            "zh": f"经 REST API 执行 {criterion.submits} 笔采收，{criterion.in_flight} 笔并发；进行到五分之一时强杀"
            f"{node_zh}并重启；之后在账本上逐一核对：已确认却不存在的批次计为丢失。成功率按已应答的提交计算。",
        }
    if isinstance(criterion, c.Privacy):
        return {
            "en": "The processor records a price with a secret note and salt; every answer the farm can get "
            "(GetPrice, GetLot, events, history, trace, price views, its chaincode events, the full block on "
            "its own peer) is searched for them, each with a positive control.",
            "zh": "加工方记录一条带秘密备注和盐值的价格；在农场可获得的每个应答（GetPrice、GetLot、事件、历史、追溯、"
            "价格视图、其链码事件、其 Peer 上的完整区块）中搜索这些秘密，每项都有正向对照。",
        }
    if isinstance(criterion, c.ColdStart):
        return {
            "en": "A network of the POC's own from an empty state: crypto, nodes, channel, chaincode committed, roles.",
            "zh": "POC 自己的网络从空状态启动：证书、节点、通道、链码提交、角色。",
        }
    return {
        "en": f"Snapshot every ledger, then restore it ({criterion.runs} runs, best reported), "
        "on a network of the POC's own.",
        "zh": f"对所有账本做快照再恢复（{criterion.runs} 次，取最好成绩），在 POC 自己的网络上。",
    }


def headline(criterion: Any, measured: dict[str, Any] | None) -> dict[str, Any]:
    """The one figure the summary table shows."""
    m = measured or {}
    if isinstance(criterion, c.Load):
        return {"value": m.get("throughput"), "unit": "TPS", "unit_zh": "TPS"}
    if isinstance(criterion, c.Latency | c.Trace):
        return {"value": m.get("p95_ms"), "unit": "ms p95", "unit_zh": "毫秒 p95"}
    if isinstance(criterion, c.Resilience):
        ratio, lost = m.get("success_ratio"), m.get("lost")
        value = round(100 * ratio, 2) if ratio is not None else None
        return {"value": value, "unit": f"% ok, {lost} lost", "unit_zh": f"% 成功，丢失 {lost} 笔"}
    if isinstance(criterion, c.Privacy):
        paths = m.get("paths_checked")
        return {
            "value": m.get("leaks"),
            "unit": f"leaks in {paths} paths",
            "unit_zh": f"处泄露（共检查 {paths} 条路径）",
        }
    return {"value": m.get("seconds"), "unit": "s", "unit_zh": "秒"}


def criterion_entry(criterion: Any, org: str, result: dict[str, Any] | None) -> dict[str, Any]:
    result = result or {"measured": None, "error": "not run"}
    measured = result.get("measured")
    return {
        "id": criterion.id,
        "kind": criterion.kind,
        "label": criterion.label.model_dump(),
        "target": criterion.target.model_dump(exclude_none=True),
        "measured": measured,
        "headline": headline(criterion, measured),
        "method": method(criterion, org),
        "seconds": result.get("seconds"),
        **judge(criterion, measured, result.get("error")),
    }


def build(
    spec: c.CriteriaFile,
    results: dict[str, dict[str, Any]],
    *,
    machine: dict[str, Any],
    network_mode: str,
    resources: dict[str, Any],
    capacity: dict[str, Any] | None,
    sweep: list[dict[str, Any]],
    blocks: list[dict[str, Any]],
    caliper: list[dict[str, Any]] | None,
    seconds: float,
    criteria_file: str,
) -> dict[str, Any]:
    entries = [criterion_entry(x, x.org or spec.org, results.get(x.id)) for x in spec.criteria]
    passed = sum(e["verdict"] == "PASS" for e in entries)
    return {
        "title": spec.title.model_dump(),
        "customer": spec.customer,
        "criteria_file": criteria_file,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "network": network_mode,
        "machine": machine,
        "summary": {"criteria": len(entries), "passed": passed, "failed": len(entries) - passed},
        "criteria": entries,
        "sweep": sweep,
        "capacity": capacity,
        "resources": resources,
        "blocks": blocks,
        "caliper": caliper,
    }
