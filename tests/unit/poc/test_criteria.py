"""The criteria loader: the example file loads; every mistake is refused naming its field and line, in two languages."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fabdemo.poc import criteria
from fabdemo.poc.criteria import CriteriaError, parse

REPO = Path(__file__).resolve().parents[3]

GOOD = """\
title: {en: T, zh: 题}
criteria:
  - id: peak
    kind: throughput
    label: {en: Peak, zh: 高峰}
    operation: harvest
    args: {lotId: "P-{uid}"}
    duration_s: 5
    rate_control: {type: fixed-rate, opts: {tps: 10}}
    target: {min_tps: 5}
"""


def problems(text: str) -> list[tuple[str, int | None, str, str]]:
    with pytest.raises(CriteriaError) as refused:
        parse(textwrap.dedent(text), "c.yaml")
    for _field, _line, en, zh in refused.value.problems:
        assert en and zh and en != zh  # both languages, really translated
    return refused.value.problems


def test_the_shipped_example_and_the_test_file_load() -> None:
    example = criteria.load(REPO / "poc" / "criteria.yaml")
    kinds = {c.kind for c in example.criteria}
    assert kinds == {"throughput", "mix", "query", "latency", "trace", "resilience", "privacy", "cold-start", "reset"}
    assert example.sweep is not None and example.capacity.from_criterion == "harvest-peak"
    assert all(c.label.en and c.label.zh for c in example.criteria)
    criteria.load(REPO / "tests" / "poc" / "tiny_criteria.yaml")


def test_a_good_file_parses() -> None:
    spec = parse(GOOD)
    assert spec.criteria[0].target.min_tps == 5 and spec.org == "farm"


def test_unknown_field_names_field_and_line() -> None:
    [(field, line, en, zh)] = problems(GOOD.replace("    duration_s: 5\n", "    duration_s: 5\n    durration: 3\n"))
    assert field == "criteria.0.durration" and line == 9
    assert "Extra inputs" in en and "未知字段" in zh


def test_wrong_type_and_range() -> None:
    found = problems(GOOD.replace("duration_s: 5", "duration_s: soon").replace("min_tps: 5", "min_tps: -1"))
    by_field = {f: (line, en, zh) for f, line, en, zh in found}
    assert by_field["criteria.0.duration_s"][0] == 8 and "必须是数字" in by_field["criteria.0.duration_s"][2]
    assert by_field["criteria.0.target.min_tps"][0] == 10


def test_missing_field_points_at_its_mapping() -> None:
    [(field, line, _en, zh)] = problems(GOOD.replace("    target: {min_tps: 5}\n", ""))
    assert field == "criteria.0.target" and line == 3  # the criterion that lacks it
    assert "缺少" in zh


def test_unknown_operation_and_wrong_kind() -> None:
    [(field, line, en, _zh)] = problems(GOOD.replace("operation: harvest", "operation: harvst"))
    assert field == "criteria.0.operation" and line == 6 and "unknown operation 'harvst'" in en
    [(field, _line, en, _zh)] = problems(GOOD.replace("operation: harvest", "operation: get_lot"))
    assert field == "criteria.0.operation" and "is an evaluate (a read)" in en


def test_a_submit_needs_a_unique_id_placeholder() -> None:
    [(field, line, en, zh)] = problems(GOOD.replace('"P-{uid}"', '"P-1"'))
    assert field == "criteria.0" and line == 3
    assert "{uid}" in en and "{uid}" in zh


def test_unknown_placeholder_and_unknown_argument() -> None:
    [(_f, _l, en, _zh)] = problems(GOOD.replace('"P-{uid}"', '"P-{uid}-{user}"'))
    assert "unknown placeholder {user}" in en
    [(_f, _l, en, _zh)] = problems(GOOD.replace('args: {lotId: "P-{uid}"}', 'args: {lotId: "P-{uid}", colour: red}'))
    assert "no argument colour" in en


def test_rate_control_options_are_caliper_s() -> None:
    [(field, line, en, _zh)] = problems(GOOD.replace("opts: {tps: 10}", "opts: {transactionLoad: 10}"))
    assert field == "criteria.0.rate_control" and line == 9
    assert "fixed-rate takes opts ['tps']" in en
    [(field, _line, _en, zh)] = problems(GOOD.replace("type: fixed-rate", "type: poisson"))
    assert field == "criteria.0.rate_control.type" and "取值不在允许范围内" in zh


def test_unknown_kind_and_duplicate_ids() -> None:
    [(field, line, _en, _zh)] = problems(GOOD.replace("kind: throughput", "kind: speed"))
    assert field == "criteria.0" and line == 3
    [(field, line, en, zh)] = problems(GOOD + GOOD.split("criteria:\n")[1])
    assert field == "criteria" and line == 2 and "'peak' is used twice" in en and "重复" in zh


def test_invalid_yaml_names_the_line() -> None:
    [(field, line, en, zh)] = problems(
        GOOD.replace("    label: {en: Peak, zh: 高峰}", "    label: {en: Peak, zh: 高峰")
    )
    assert field == "" and line is not None and 5 <= line <= 7
    assert "not valid YAML" in en and "YAML" in zh


def test_every_problem_is_reported_at_once_and_the_text_has_both_languages() -> None:
    text = GOOD.replace("duration_s: 5", "duration_s: 0").replace("tps: 10", "tps: 0")
    with pytest.raises(CriteriaError) as refused:
        parse(text, "c.yaml")
    assert len(refused.value.problems) == 2
    message = refused.value.text()
    assert "c.yaml:8: criteria.0.duration_s" in message and "nothing was run" in message and "未执行" in message


def test_load_of_a_missing_file() -> None:
    with pytest.raises(CriteriaError) as refused:
        criteria.load("/nonexistent/criteria.yaml")
    assert "cannot read" in refused.value.text() and "无法读取" in refused.value.text()
