"""Contract errors rendered from error_messages.yaml by key and params, and that file checked against the Go sources."""

from __future__ import annotations

import json
import re
from pathlib import Path

import grpc
import pytest
import yaml

from fabdemo.service import errors
from fabdemo.service.errors import (
    ContractMessage,
    MessageCatalogue,
    contract_error,
    from_gateway_error,
    load_catalogue,
    message_catalogue,
    parse_contract_message,
    placeholders,
    render_template,
)
from fabric_gateway import EndorseError, ErrorDetail

CONTRACT_DIR = Path(__file__).resolve().parents[3] / "chaincode" / "contract"


def endorse_error(message: str) -> EndorseError:
    detail = ErrorDetail("127.0.0.1:11051", "RetailerMSP", f"chaincode response 500, {message}")
    return EndorseError("failed to endorse transaction", grpc_code=grpc.StatusCode.ABORTED, details=[detail])


def coded(text: str, key: str, params: dict[str, str]) -> str:
    """What follows ``CODE: `` on the wire (errors.go): no HTML escaping, sorted params, compact JSON."""
    trailer = json.dumps(
        {"key": key, "params": dict(sorted(params.items()))}, separators=(",", ":"), ensure_ascii=False
    )
    return f"{text} {trailer}"


def wire(code: str, text: str, key: str, params: dict[str, str]) -> str:
    return f"{code}: {coded(text, key, params)}"


HELD_BY = {"lot": "LOT-1", "custodian": "FarmMSP", "caller": "RetailerMSP"}


# -- (a) the translation follows the key, not the English sentence ---------------------------------------


def test_reworded_english_text_keeps_the_same_translation() -> None:
    original = wire("NOT_CUSTODIAN", "lot LOT-1 is held by FarmMSP, not RetailerMSP", "NOT_CUSTODIAN_HELD_BY", HELD_BY)
    reworded = wire(
        "NOT_CUSTODIAN", "RetailerMSP tried to act on LOT-1, but FarmMSP has it", "NOT_CUSTODIAN_HELD_BY", HELD_BY
    )
    first, second = from_gateway_error(endorse_error(original)), from_gateway_error(endorse_error(reworded))
    assert first.message_zh == second.message_zh == "不是当前保管方：批次 LOT-1 由 FarmMSP 保管，而不是 RetailerMSP"
    assert first.message == second.message == "lot LOT-1 is held by FarmMSP, not RetailerMSP"
    assert (second.code, second.http_status, second.source) == ("NOT_CUSTODIAN", 403, "contract")
    body = second.to_dict()["error"]
    assert body["key"] == "NOT_CUSTODIAN_HELD_BY" and body["params"] == HELD_BY
    assert {"code", "message", "message_zh", "key", "params", "source"} <= body.keys()


def test_parameter_values_are_translated_where_the_file_says_so() -> None:
    params = {"action": "process", "lot": "L", "status": "IN_TRANSIT", "allowed": "HARVESTED, RECEIVED"}
    error = contract_error("INVALID_STATE", coded("whatever", "LOT_STATUS_NOT_ALLOWED", params))
    assert error.message == "cannot process lot L while it is IN_TRANSIT (needs HARVESTED, RECEIVED)"
    assert error.message_zh == "状态不允许：批次 L 处于 IN_TRANSIT 状态，无法加工（需要 HARVESTED, RECEIVED）"
    assert error.params == params  # the body keeps the values as sent


def test_values_exactly_as_the_go_side_encodes_them() -> None:
    # from TestErrors in chaincode/contract/errors_test.go: quotes, escapes, < > & left unescaped
    message = (
        r'INVALID_ARGUMENT: step must be one of A, B, got "<x> & \"y\"\n" '
        r'{"key":"VALUE_NOT_ALLOWED","params":{"allowed":"A, B","field":"step","value":"\"<x> & \\\"y\\\"\\n\""}}'
    )
    error = from_gateway_error(endorse_error(message))
    assert error.params == {"allowed": "A, B", "field": "step", "value": r'"<x> & \"y\"\n"'}
    assert error.message == r'step must be one of A, B, got "<x> & \"y\"\n"'
    assert error.message_zh == r'参数无效：step 必须是 A, B 之一，实际为 "<x> & \"y\"\n"'


def test_evaluate_errors_and_cli_prefix() -> None:
    text = "chaincode response 500, " + wire(
        "ALREADY_EXISTS", "lot L already exists", "LOT_ALREADY_EXISTS", {"lot": "L"}
    )
    assert "ALREADY_EXISTS:" in text  # what `_admin_invoke` looks for in peer CLI output
    error = from_gateway_error(EndorseError(f"evaluate call to endorser returned error: {text}"))
    assert (error.code, error.message_zh, error.key) == (
        "ALREADY_EXISTS",
        "已存在：批次 L 已存在",
        "LOT_ALREADY_EXISTS",
    )


# -- (c) fallbacks ---------------------------------------------------------------------------------------


def test_unknown_key_keeps_the_chaincode_text() -> None:
    error = from_gateway_error(endorse_error(wire("FORBIDDEN", "only on Tuesdays", "ONLY_ON_TUESDAYS", {"day": "Mon"})))
    assert (error.code, error.http_status) == ("FORBIDDEN", 403)
    assert (error.message, error.message_zh) == ("only on Tuesdays", "无权操作：only on Tuesdays")
    assert (error.key, error.params) == ("ONLY_ON_TUESDAYS", {"day": "Mon"})


def test_old_style_message_keeps_its_text() -> None:
    error = from_gateway_error(endorse_error("NOT_FOUND: lot LOT-9 does not exist"))
    assert (error.message, error.message_zh) == ("lot LOT-9 does not exist", "未找到：lot LOT-9 does not exist")
    assert (error.key, error.params) == (None, {})
    assert error.to_dict()["error"]["key"] is None


def test_a_missing_parameter_falls_back_to_the_text() -> None:
    # a chaincode of another version that passes other params for the same key
    error = contract_error("NOT_FOUND", coded("no lot X here", "LOT_NOT_FOUND", {"lotId": "X"}))
    assert (error.message, error.message_zh) == ("no lot X here", "未找到：no lot X here")
    error = contract_error("NOT_FOUND", coded("", "LOT_NOT_FOUND", {}))
    assert (error.message, error.message_zh) == ("LOT_NOT_FOUND", "未找到：LOT_NOT_FOUND")


def test_unprefixed_chaincode_message_is_invalid_argument() -> None:
    error = from_gateway_error(endorse_error("Function Teleport not found in contract provenance"))
    assert (error.code, error.http_status, error.key) == ("INVALID_ARGUMENT", 400, None)
    assert error.message_zh == "参数无效：Function Teleport not found in contract provenance"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("lot X does not exist", ContractMessage("lot X does not exist")),
        ('lot X {"key":"LOT_NOT_FOUND","params":{"lot":"X"}}', ContractMessage("lot X", "LOT_NOT_FOUND", {"lot": "X"})),
        ('  {"key":"K","params":{}}  ', ContractMessage("", "K", {})),
        ('x {"key":"K","params":{"n":1,"b":true}}', ContractMessage("x", "K", {"n": "1", "b": "true"})),
        # not a trailer: broken JSON, wrong shape, text after it
        ('x {"key":"K","params":{"a":"1"}', ContractMessage('x {"key":"K","params":{"a":"1"}')),
        ('x {"key":"K"}', ContractMessage('x {"key":"K"}')),
        ('x {"key":"","params":{}}', ContractMessage('x {"key":"","params":{}}')),
        ('x {"key":1,"params":{}}', ContractMessage('x {"key":1,"params":{}}')),
        ('x {"key":"K","params":[]}', ContractMessage('x {"key":"K","params":[]}')),
        ('x {"key":"K","params":{}} and more', ContractMessage('x {"key":"K","params":{}} and more')),
        # user text that looks like a trailer, before the real one or inside a param
        (
            'bad {"key":"LOT_NOT_FOUND","params":{}} value {"key":"JSON_INVALID","params":{"error":"e"}}',
            ContractMessage('bad {"key":"LOT_NOT_FOUND","params":{}} value', "JSON_INVALID", {"error": "e"}),
        ),
        (
            'e {"key":"JSON_INVALID","params":{"error":"{\\"key\\":\\"K\\",\\"params\\":{}}"}}',
            ContractMessage("e", "JSON_INVALID", {"error": '{"key":"K","params":{}}'}),
        ),
    ],
)
def test_parse_contract_message(message: str, expected: ContractMessage) -> None:
    assert parse_contract_message(message) == expected


def test_render_template() -> None:
    assert render_template("{a}-{b_2} {c {} {9} {{a}}}", {"a": "1", "b_2": "2"}) == "1-2 {c {} {9} {1}}"
    assert render_template("{a} and {b}", {"a": "1"}) is None
    assert placeholders("{a} {a} {b_2} {_x} {x-y} {") == {"a", "b_2"}


def test_catalogue_file_missing_or_broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors, "MESSAGES_FILE", tmp_path / "missing.yaml")
    assert message_catalogue.__wrapped__() == MessageCatalogue()
    broken = tmp_path / "broken.yaml"
    broken.write_text("messages: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(errors, "MESSAGES_FILE", broken)
    assert message_catalogue.__wrapped__() == MessageCatalogue()
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert load_catalogue(empty) == MessageCatalogue()
    # without templates an error still says what happened
    assert MessageCatalogue().render("LOT_NOT_FOUND", {"lot": "X"}, "zh") is None


# -- (b) the data file against the Go sources --------------------------------------------------------------


def _go_sources() -> dict[str, str]:
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(CONTRACT_DIR.glob("*.go"))}
    return {name: text for name, text in files.items() if not name.endswith("_test.go")}


def _skip_string(src: str, i: int) -> int:
    """Index just past the Go string, raw string or rune literal starting at ``src[i]``."""
    quote = src[i]
    if quote == "`":
        return src.index("`", i + 1) + 1
    i += 1
    while src[i] != quote:
        i += 2 if src[i] == "\\" else 1
    return i + 1


def _top_level_items(body: str) -> list[str]:
    """Split a composite literal's body at the commas outside brackets and literals."""
    items, depth, start, i = [], 0, 0, 0
    while i < len(body):
        ch = body[i]
        if ch in "\"'`":
            i = _skip_string(body, i)
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(body[start:i])
            start = i + 1
        i += 1
    items.append(body[start:])
    return [item.strip() for item in items if item.strip()]


def _matching_brace(src: str, open_at: int) -> int:
    depth, i = 0, open_at
    while True:
        ch = src[i]
        if ch in "\"'`":
            i = _skip_string(src, i)
            continue
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0:
            return i
        i += 1


_CALL = re.compile(r'\bnewError\(\s*"(?P<key>[A-Z][A-Z0-9_]*)"\s*,\s*(?P<params>nil\s*\)|Params\{)')
_PARAM_NAME = re.compile(r'^"(?P<name>[A-Za-z][A-Za-z0-9_]*)"\s*:')
_CATALOGUE_ENTRY = re.compile(
    r'^\s*"(?P<key>[A-Z][A-Z0-9_]*)":\s*\{Code\w+,\s*(?P<tpl>"(?:[^"\\]|\\.)*"|`[^`]*`)\},', re.M
)


def go_call_sites() -> list[tuple[str, str, frozenset[str]]]:
    """Every ``newError(key, params)`` of the contract: (file:line, key, parameter names)."""
    sites = []
    for name, src in _go_sources().items():
        calls = [m for m in re.finditer(r"\bnewError\(", src) if not src[: m.start()].endswith("func ")]
        matched = list(_CALL.finditer(src))
        assert len(matched) == len(calls), f"{name}: a newError call without a key literal and nil/Params{{...}}"
        for m in matched:
            where = f"{name}:{src.count(chr(10), 0, m.start()) + 1}"
            names: set[str] = set()
            if m.group("params").startswith("Params"):
                open_at = m.end() - 1
                for item in _top_level_items(src[open_at + 1 : _matching_brace(src, open_at)]):
                    param = _PARAM_NAME.match(item)
                    assert param, f"{where}: parameter names must be string literals: {item!r}"
                    names.add(param.group("name"))
            sites.append((where, m.group("key"), frozenset(names)))
    return sites


def go_catalogue() -> dict[str, set[str]]:
    """The keys of errors.go's catalogue and the placeholders of their English templates."""
    src = _go_sources()["errors.go"]
    return {m.group("key"): placeholders(m.group("tpl")) for m in _CATALOGUE_ENTRY.finditer(src)}


def test_the_go_parser_sees_the_call_sites() -> None:
    sites = go_call_sites()
    assert len(sites) >= 60
    assert ("NOT_CUSTODIAN_HELD_BY", frozenset(HELD_BY)) in {(key, names) for _, key, names in sites}
    assert ("ROLE_ADMIN_REQUIRED", frozenset()) in {(key, names) for _, key, names in sites}
    body = '"a": f(x, y), "b": `,`, "c": \',\', "d": "\\",",'
    assert _top_level_items(body) == ['"a": f(x, y)', '"b": `,`', "\"c\": ','", '"d": "\\","']


def test_every_go_message_key_has_english_and_chinese_templates_with_its_parameters() -> None:
    data = yaml.safe_load(errors.MESSAGES_FILE.read_text(encoding="utf-8"))
    templates = data["messages"]
    sites = go_call_sites()
    catalogue = go_catalogue()
    problems = []
    for where, key, names in sites:
        entry = templates.get(key)
        if not isinstance(entry, dict) or set(entry) != {"en", "zh"}:
            problems.append(f"{where}: {key} needs exactly an en and a zh template in {errors.MESSAGES_FILE.name}")
            continue
        for lang in ("en", "zh"):
            text = entry[lang]
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{key}.{lang} is empty")
            elif placeholders(text) != names:
                problems.append(f"{where}: {key}.{lang} uses {sorted(placeholders(text))}, Go passes {sorted(names)}")
        if catalogue.get(key) != names:
            problems.append(f"{where}: errors.go's template of {key} does not use exactly {sorted(names)}")
    used = {key for _, key, _ in sites}
    problems += [f"{key} is in {errors.MESSAGES_FILE.name} but not used in Go" for key in sorted(set(templates) - used)]
    problems += [f"{key} is in errors.go's catalogue but never used" for key in sorted(set(catalogue) - used)]
    assert not problems, "\n".join(problems)


def test_value_translations_name_real_parameters() -> None:
    catalogue = message_catalogue()
    zh_placeholders = set().union(*(placeholders(t["zh"]) for t in catalogue.templates.values()))
    assert catalogue.values_zh and set(catalogue.values_zh) <= zh_placeholders
    assert catalogue.values_zh["action"]["process"] == "加工"
    # every action Go passes has a translation
    actions = set()
    for src in _go_sources().values():
        actions |= set(re.findall(r'workableLotAs\(\w+, \w+, "([^"]+)"\)', src))
        actions |= set(re.findall(r'requireStatus\(lot, "([^"]+)"', src))
    assert actions and actions <= set(catalogue.values_zh["action"])
