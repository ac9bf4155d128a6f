"""``poc/criteria.yaml``: a POC's success criteria as a typed model, loaded with line numbers.

A POC team writes what the customer asked for (``more than 200 TPS at peak``) as data; ``make poc``
measures each criterion on the live network and computes its verdict from the measured value
(:mod:`fabdemo.poc.verdict`). A file with a mistake is refused as a whole, before anything runs, with
every mistake named by its field path and line, in English and Chinese: a POC that silently skips a
misspelt criterion would report a verdict the customer never agreed to.

Operations are named by their catalogue id (``service/catalogue/operations.yaml``) with named
arguments, so a criterion reads like the REST API and survives a change of the contract's argument
order. Argument values are templates: ``{uid}`` is unique per transaction (every submit writes a key of
its own: two on one key would conflict), ``{n}`` is the transaction's sequence number and ``{lot}`` one
of the lots the run harvests beforehand (for reads).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fabdemo.service.catalogue import OPERATIONS_BY_ID

PLACEHOLDERS = ("uid", "n", "lot")
PLACEHOLDER_PATTERN = re.compile(r"\{([^{}]*)\}")


class Problem(ValueError):
    """A rule of this file broken, in both languages (pydantic keeps the exception in the error's ctx)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.zh = zh


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid")
    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)


class RateControl(BaseModel):
    """Caliper's ``rateControl`` block, with Caliper's names (see :mod:`fabdemo.poc.ratecontrol`)."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["fixed-rate", "fixed-load", "linear-rate"]
    opts: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _opts_match_type(self) -> RateControl:
        needed = {
            "fixed-rate": {"tps"},
            "fixed-load": {"transactionLoad"},
            "linear-rate": {"startingTps", "finishingTps"},
        }[self.type]
        missing = needed - set(self.opts)
        unknown = set(self.opts) - needed
        if missing or unknown:
            detail = (f"; missing {sorted(missing)}" if missing else "") + (
                f"; unknown {sorted(unknown)}" if unknown else ""
            )
            detail_zh = (f"；缺少 {sorted(missing)}" if missing else "") + (
                f"；未知 {sorted(unknown)}" if unknown else ""
            )
            raise Problem(
                f"{self.type} takes opts {sorted(needed)}{detail}",
                f"{self.type} 的 opts 为 {sorted(needed)}{detail_zh}",
            )
        for key, value in self.opts.items():
            if value <= 0 and not (self.type == "linear-rate" and value == 0):
                raise Problem(f"opts.{key} must be greater than 0", f"opts.{key} 必须大于 0")
        return self


class LoadTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_tps: float | None = Field(default=None, ge=0)
    max_p95_ms: float | None = Field(default=None, gt=0)
    max_failure_rate: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _something(self) -> LoadTarget:
        if self.min_tps is None and self.max_p95_ms is None and self.max_failure_rate is None:
            raise Problem(
                "name at least one of min_tps, max_p95_ms, max_failure_rate",
                "至少给出 min_tps、max_p95_ms、max_failure_rate 之一",
            )
        return self


class LatencyTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_p50_ms: float | None = Field(default=None, gt=0)
    max_p95_ms: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _something(self) -> LatencyTarget:
        if self.max_p50_ms is None and self.max_p95_ms is None:
            raise Problem("name at least one of max_p50_ms, max_p95_ms", "至少给出 max_p50_ms、max_p95_ms 之一")
        return self


class ResilienceTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_lost: int = Field(default=0, ge=0)
    min_success_rate: float = Field(ge=0, le=1)


class PrivacyTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_leaks: int = Field(default=0, ge=0)


class SecondsTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_s: float = Field(gt=0)


Args = dict[str, str | int | float | bool]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    label: Label
    org: str | None = None  # the org that acts (default: the file's ``org``)


def _check_operation(op_id: str, kinds: tuple[str, ...]) -> str:
    op = OPERATIONS_BY_ID.get(op_id)
    if op is None:
        known = ", ".join(sorted(OPERATIONS_BY_ID))
        raise Problem(f"unknown operation {op_id!r}; known: {known}", f"未知操作 {op_id!r}；可用操作：{known}")
    if op.kind not in kinds:
        words = {"submit": ("a submit (a write)", "提交（写入）"), "evaluate": ("an evaluate (a read)", "查询（只读）")}
        needs = " or ".join(words[k][0] for k in kinds)
        raise Problem(
            f"operation {op_id!r} is {words[op.kind][0]}; this criterion needs {needs}",
            f"操作 {op_id!r} 是{words[op.kind][1]}；此标准需要{'或'.join(words[k][1] for k in kinds)}",
        )
    return op_id


def check_args(op_id: str, args: Mapping[str, Any]) -> None:
    """Argument names must be the operation's, placeholders known, and a submit must write its own key."""
    op = OPERATIONS_BY_ID.get(op_id)
    if op is None:
        return  # reported on the operation field
    names = {p.name for p in op.params}
    unknown = sorted(set(args) - names)
    if unknown:
        listed = ", ".join(sorted(names))
        raise Problem(
            f"{op_id} has no argument {', '.join(unknown)}; its arguments: {listed}",
            f"{op_id} 没有参数 {', '.join(unknown)}；其参数为：{listed}",
        )
    found: set[str] = set()
    for value in args.values():
        for name in PLACEHOLDER_PATTERN.findall(str(value)):
            if name not in PLACEHOLDERS:
                known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                raise Problem(
                    f"unknown placeholder {{{name}}}; known: {known}", f"未知占位符 {{{name}}}；可用：{known}"
                )
            found.add(name)
    if op.kind == "submit" and "uid" not in found:
        raise Problem(
            f"{op_id} is a submit: put {{uid}} into an argument (e.g. lotId: POC-{{uid}}) so every transaction "
            "writes a key of its own; two transactions on one key conflict (MVCC_READ_CONFLICT)",
            f"{op_id} 是提交操作：请在某个参数中加入 {{uid}}（例如 lotId: POC-{{uid}}），使每笔交易写入自己的键；"
            "两笔交易写同一个键会冲突（MVCC_READ_CONFLICT）",
        )


class Load(_Base):
    """Shared by the criteria that drive load for ``duration_s`` with a rate controller."""

    duration_s: float = Field(gt=0, le=3600)
    rate_control: RateControl
    target: LoadTarget


class Throughput(Load):
    kind: Literal["throughput"]
    operation: str
    args: Args = Field(default_factory=dict)

    @field_validator("operation")
    @classmethod
    def _operation(cls, value: str) -> str:
        return _check_operation(value, ("submit",))

    @model_validator(mode="after")
    def _args(self) -> Throughput:
        check_args(self.operation, self.args)
        return self


class Query(Load):
    kind: Literal["query"]
    operation: str
    args: Args = Field(default_factory=dict)

    @field_validator("operation")
    @classmethod
    def _operation(cls, value: str) -> str:
        return _check_operation(value, ("evaluate",))

    @model_validator(mode="after")
    def _args(self) -> Query:
        check_args(self.operation, self.args)
        return self


class MixEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    operation: str
    args: Args = Field(default_factory=dict)
    weight: float = Field(gt=0)

    @field_validator("operation")
    @classmethod
    def _operation(cls, value: str) -> str:
        return _check_operation(value, ("submit", "evaluate"))

    @model_validator(mode="after")
    def _args(self) -> MixEntry:
        check_args(self.operation, self.args)
        return self


class Mix(Load):
    kind: Literal["mix"]
    operations: list[MixEntry] = Field(min_length=1)


class Latency(_Base):
    """Lone transactions, one after another: what one user waits for."""

    kind: Literal["latency"]
    operation: str
    args: Args = Field(default_factory=dict)
    count: int = Field(ge=1, le=10000)
    target: LatencyTarget

    @field_validator("operation")
    @classmethod
    def _operation(cls, value: str) -> str:
        return _check_operation(value, ("submit", "evaluate"))

    @model_validator(mode="after")
    def _args(self) -> Latency:
        check_args(self.operation, self.args)
        return self


class Trace(_Base):
    """TraceLot (a recall's first question) on a lot split into ``descendants`` packages."""

    kind: Literal["trace"]
    descendants: int = Field(ge=1, le=500)
    samples: int = Field(default=20, ge=1, le=1000)
    target: LatencyTarget


class Resilience(_Base):
    """Kill a node under load (``make chaos``'s scenarios): nothing acknowledged lost, enough succeed."""

    kind: Literal["resilience"]
    fault: Literal["raft-leader", "peer"]
    submits: int = Field(ge=10, le=100000)
    in_flight: int = Field(default=16, ge=1, le=256)
    target: ResilienceTarget


class Privacy(_Base):
    """The farm cannot read a processor-retailer price by any path (contract, events, blocks, REST views)."""

    kind: Literal["privacy"]
    target: PrivacyTarget = Field(default_factory=PrivacyTarget)


class ColdStart(_Base):
    """Empty state to a committed contract, on a network of the POC's own."""

    kind: Literal["cold-start"]
    target: SecondsTarget


class Reset(_Base):
    """``make reset``: rewind every ledger to a snapshot."""

    kind: Literal["reset"]
    runs: int = Field(default=2, ge=1, le=20)
    target: SecondsTarget


Criterion = Annotated[
    Throughput | Query | Mix | Latency | Trace | Resilience | Privacy | ColdStart | Reset,
    Field(discriminator="kind"),
]


class Sweep(BaseModel):
    """Fixed-rate rounds at rising rates: the throughput-against-offered-load chart (not a verdict)."""

    model_config = ConfigDict(extra="forbid")
    operation: str
    args: Args = Field(default_factory=dict)
    rates_tps: list[float] = Field(min_length=1, max_length=20)
    duration_s: float = Field(gt=0, le=600)

    @field_validator("operation")
    @classmethod
    def _operation(cls, value: str) -> str:
        return _check_operation(value, ("submit", "evaluate"))

    @field_validator("rates_tps")
    @classmethod
    def _positive(cls, rates: list[float]) -> list[float]:
        if any(r <= 0 for r in rates):
            raise Problem("every rate must be greater than 0", "每个速率都必须大于 0")
        return rates

    @model_validator(mode="after")
    def _args(self) -> Sweep:
        check_args(self.operation, self.args)
        return self


class Setup(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_id: str = Field(default="PRD-POC", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
    seed_lots: int = Field(default=20, ge=1, le=10000)  # lots harvested beforehand, read through {lot}


class Capacity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    from_criterion: str | None = None  # the load criterion whose steady state is measured (default: first throughput)
    cores_per_node: list[int] = Field(default_factory=lambda: [2, 4, 8], min_length=1)
    steady_state: tuple[float, float] = (0.2, 0.9)  # fractions of the duration: skip the ramp-up and the drain

    @field_validator("steady_state")
    @classmethod
    def _window(cls, window: tuple[float, float]) -> tuple[float, float]:
        if not 0 <= window[0] < window[1] <= 1:
            raise Problem(
                "steady_state is [start, end] with 0 <= start < end <= 1",
                "steady_state 为 [开始, 结束]，且 0 ≤ 开始 < 结束 ≤ 1",
            )
        return window


class CriteriaFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Label
    customer: str | None = None
    org: str = "farm"
    setup: Setup = Field(default_factory=Setup)
    criteria: list[Criterion] = Field(min_length=1)
    sweep: Sweep | None = None
    capacity: Capacity = Field(default_factory=Capacity)

    @field_validator("criteria")
    @classmethod
    def _unique_ids(cls, items: list[Any]) -> list[Any]:
        seen: set[str] = set()
        for criterion in items:
            if criterion.id in seen:
                raise Problem(f"criterion id {criterion.id!r} is used twice", f"标准编号 {criterion.id!r} 重复使用")
            seen.add(criterion.id)
        return items

    @model_validator(mode="after")
    def _capacity_source(self) -> CriteriaFile:
        wanted = self.capacity.from_criterion
        if wanted is not None and not any(c.id == wanted and isinstance(c, Load) for c in self.criteria):
            raise Problem(
                f"capacity.from_criterion {wanted!r} is not a throughput, query or mix criterion",
                f"capacity.from_criterion {wanted!r} 不是吞吐量、查询或组合类标准",
            )
        return self


# -- loading, with line numbers --------------------------------------------------------------------------


class CriteriaError(ValueError):
    """A criteria file that cannot run; ``problems`` lists (field path, line, English, Chinese)."""

    def __init__(self, path: Path | str, problems: list[tuple[str, int | None, str, str]]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__(self.text())

    def text(self) -> str:
        count = len(self.problems)
        lines = [f"{self.path}: {count} problem(s), nothing was run / 发现 {count} 个问题，未执行任何测量"]
        for field, line, en, zh in self.problems:
            where = f"{self.path}:{line}" if line else self.path
            lines.append(f"  {where}: {field or '(file)'}: {en}")
            lines.append(f"  {where}：{field or '（文件）'}：{zh}")
        return "\n".join(lines)


def _line_map(node: yaml.Node, path: tuple[Any, ...] = (), out: dict | None = None) -> dict[tuple[Any, ...], int]:
    """Every path in the document (mapping keys, list indexes) to its 1-based line."""
    out = {} if out is None else out
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            _line_map(value, child, out)
            out[child] = key.start_mark.line + 1  # a key's line, not its value's
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), out)
    return out


ZH_BY_TYPE = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写错误？）",
    "greater_than": "数值必须更大",
    "greater_than_equal": "数值太小",
    "less_than": "数值必须更小",
    "less_than_equal": "数值太大",
    "literal_error": "取值不在允许范围内",
    "union_tag_invalid": "kind 取值未知",
    "union_tag_not_found": "缺少 kind 字段",
    "float_parsing": "必须是数字",
    "float_type": "必须是数字",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "int_from_float": "必须是整数",
    "string_type": "必须是文本",
    "string_too_short": "文本太短",
    "string_pattern_mismatch": "格式不正确",
    "list_type": "必须是列表",
    "too_short": "列表项太少",
    "too_long": "列表项太多",
    "dict_type": "必须是映射（键: 值）",
    "model_type": "必须是映射（键: 值）",
    "model_attributes_type": "必须是映射（键: 值）",
    "tuple_type": "必须是 [开始, 结束] 两个数",
    "value_error": "取值无效",
}


def _problem(error: Mapping[str, Any], lines: dict[tuple[Any, ...], int]) -> tuple[str, int | None, str, str]:
    # Pydantic puts the discriminator's tag into the path (criteria.0.throughput.duration_s); the file has none.
    loc = [p for p in error["loc"] if not (isinstance(p, str) and p in KIND_TAGS)]
    path = tuple(loc)
    line = None
    for end in range(len(path), -1, -1):  # a missing field: the line of the mapping that lacks it
        if path[:end] in lines:
            line = lines[path[:end]]
            break
    field = ".".join(str(p) for p in path)
    message = str(error["msg"]).removeprefix("Value error, ")
    zh = ZH_BY_TYPE.get(error["type"], "取值无效")
    ctx = error.get("ctx") or {}
    original = ctx.get("error")
    if isinstance(original, Problem):
        zh = original.zh
    elif error["type"] == "literal_error":
        zh = f"{zh}：应为 {ctx.get('expected', '')}"
    elif error["type"] == "union_tag_invalid":
        zh = f"{zh}：应为 {ctx.get('expected_tags', '')}"
    else:
        bound = next(((sign, ctx[k]) for k, sign in LIMITS.items() if k in ctx), None)
        if bound is not None:
            zh = f"{zh}（须 {bound[0]} {bound[1]}）"
    return field, line, message, zh


LIMITS = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "min_length": "至少", "max_length": "至多"}
KIND_TAGS = {"throughput", "query", "mix", "latency", "trace", "resilience", "privacy", "cold-start", "reset"}


def parse(text: str, path: Path | str = "<criteria>") -> CriteriaFile:
    """Parse criteria YAML; raise :class:`CriteriaError` listing every problem with its line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise CriteriaError(path, [("", line, f"not valid YAML: {err}", f"不是有效的 YAML：{err}")]) from err
    if not isinstance(data, dict) or node is None:
        raise CriteriaError(
            path, [("", 1, "the file must be a mapping (title:, criteria:)", "文件必须是映射（title:、criteria:）")]
        )
    try:
        return CriteriaFile.model_validate(data)
    except ValidationError as err:
        lines = _line_map(node)
        raise CriteriaError(path, [_problem(e, lines) for e in err.errors()]) from err


def load(path: Path | str) -> CriteriaFile:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise CriteriaError(
            path, [("", None, f"cannot read the file: {err.strerror}", f"无法读取文件：{err.strerror}")]
        ) from err
    return parse(text, path)
