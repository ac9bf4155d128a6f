"""Service errors: one stable code and HTTP status per kind of failure, with an English and a Chinese message.

Contract errors arrive inside the gateway error (``chaincode_code`` / ``chaincode_message``) in the
chaincode's wire form (chaincode/contract/errors.go)::

    CODE: English text {"key":"LOT_NOT_FOUND","params":{"lot":"LOT-1"}}

They keep their code; ``message`` and ``message_zh`` are rendered from the templates of the key in
``error_messages.yaml`` with the params, never from the English text, which the chaincode may reword.
An unknown key, or a message without the JSON trailer (an older chaincode), keeps the chaincode's English
text, and its Chinese message is the translated code label followed by that text. Failures of the network
itself become ``NETWORK_UNAVAILABLE`` (503) so that a user error is never reported as a server fault.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import grpc
import yaml

from fabric_gateway import CommitError, CommitTimeoutError, GatewayConnectionError, GatewayError

log = logging.getLogger("fabdemo.service")

# Contract codes (chaincode/contract/errors.go) and the HTTP status each maps to.
CONTRACT_STATUS: dict[str, int] = {
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "FORBIDDEN": 403,
    "NOT_CUSTODIAN": 403,
    "INVALID_ARGUMENT": 400,
    "INVALID_STATE": 409,
    "RECALLED": 409,
}
# Codes raised by the service itself.
SERVICE_STATUS: dict[str, int] = {
    "INVALID_ARGUMENT": 422,  # the catalogue rejected the input before the ledger saw it
    "UNKNOWN_OPERATION": 404,
    "UNKNOWN_ORG": 422,
    "NETWORK_UNAVAILABLE": 503,
    "COMMIT_TIMEOUT": 504,
    "TX_INVALID": 409,
    "ENDORSEMENT_POLICY_FAILURE": 409,
    "LEDGER_ERROR": 502,
    "UNAUTHORIZED": 401,
    # identities (service/identities.py, IDENTITIES=ca)
    "IDENTITIES_NEED_CA": 409,
    "UNKNOWN_USER": 404,
    "IDENTITY_EXISTS": 409,
    "IDENTITY_REVOKED": 403,
    "CA_ERROR": 502,
}

CODE_LABELS_ZH: dict[str, str] = {
    "NOT_FOUND": "未找到",
    "ALREADY_EXISTS": "已存在",
    "FORBIDDEN": "无权操作",
    "NOT_CUSTODIAN": "不是当前保管方",
    "INVALID_ARGUMENT": "参数无效",
    "INVALID_STATE": "状态不允许",
    "RECALLED": "已召回",
    "UNKNOWN_OPERATION": "未知操作",
    "UNKNOWN_ORG": "未知组织",
    "NETWORK_UNAVAILABLE": "网络不可用",
    "COMMIT_TIMEOUT": "提交超时",
    "TX_INVALID": "交易无效",
    "ENDORSEMENT_POLICY_FAILURE": "背书策略未满足",
    "LEDGER_ERROR": "账本错误",
    "UNAUTHORIZED": "需要加入会话",
    "IDENTITIES_NEED_CA": "需要 Fabric CA 身份",
    "UNKNOWN_USER": "未知用户",
    "IDENTITY_EXISTS": "用户已存在",
    "IDENTITY_REVOKED": "身份已吊销",
    "CA_ERROR": "证书颁发机构出错",
}

STATUS_ZH: dict[str, str] = {
    "HARVESTED": "已采收",
    "PROCESSED": "已加工",
    "PACKAGED": "已包装",
    "SPLIT": "已分装",
    "IN_TRANSIT": "运输中",
    "RECEIVED": "已接收",
    "QUARANTINED": "已隔离",
    "SOLD": "已售出",
    "RECALLED": "已召回",
}

MESSAGES_FILE = Path(__file__).with_name("error_messages.yaml")

# Template placeholders: {name}, a letter then letters, digits or _ (the same syntax as errors.go).
# Any other brace is literal text.
PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")
_TRAILER_START = '{"key":'


@dataclasses.dataclass(frozen=True)
class MessageCatalogue:
    """The contents of ``error_messages.yaml``: templates by key and language, Chinese parameter values."""

    templates: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)
    values_zh: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)

    def render(self, key: str | None, params: Mapping[str, str], lang: str) -> str | None:
        """The message of ``key`` in ``lang``, or ``None`` for an unknown key or a missing parameter."""
        template = self.templates.get(key or "", {}).get(lang)
        if template is None:
            return None
        values = self.values_zh if lang == "zh" else {}
        return render_template(template, {n: values.get(n, {}).get(v, v) for n, v in params.items()})


def load_catalogue(path: Path = MESSAGES_FILE) -> MessageCatalogue:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    templates = {
        str(key): {str(lang): str(text) for lang, text in (langs or {}).items()}
        for key, langs in (data.get("messages") or {}).items()
    }
    values = {
        str(param): {str(v): str(zh) for v, zh in (table or {}).items()}
        for param, table in (data.get("values") or {}).items()
    }
    return MessageCatalogue(templates, values)


@functools.cache
def message_catalogue() -> MessageCatalogue:
    """The shipped catalogue, read once. Without it errors still carry the chaincode's English text."""
    try:
        return load_catalogue(MESSAGES_FILE)
    except (OSError, ValueError, AttributeError, yaml.YAMLError) as err:
        log.warning("error messages not loaded from %s: %s", MESSAGES_FILE, err)
        return MessageCatalogue()


def placeholders(template: str) -> set[str]:
    return set(PLACEHOLDER.findall(template))


def render_template(template: str, params: Mapping[str, str]) -> str | None:
    """Fill every {name} of ``template`` from ``params``; ``None`` when one of them is missing."""
    if not placeholders(template) <= params.keys():
        return None
    return PLACEHOLDER.sub(lambda m: params[m.group(1)], template)


@dataclasses.dataclass(frozen=True)
class ContractMessage:
    """A chaincode error message split into its English text and, if it has one, the key and params."""

    text: str
    key: str | None = None
    params: dict[str, str] = dataclasses.field(default_factory=dict)


def parse_contract_message(message: str) -> ContractMessage:
    """Split ``English text {"key":...,"params":{...}}`` (the part after ``CODE: ``).

    The trailer is the last ``{"key":`` from which the rest of the message decodes as one JSON object
    with a string ``key`` and an object ``params``. A message without one is returned as text only.
    """
    text = message.strip()
    decoder = json.JSONDecoder()
    end = len(text)
    while (start := text.rfind(_TRAILER_START, 0, end)) >= 0:
        end = start
        try:
            trailer, stop = decoder.raw_decode(text, start)
        except ValueError:
            continue
        if stop != len(text) or not isinstance(trailer, dict):
            continue
        key, params = trailer.get("key"), trailer.get("params")
        if isinstance(key, str) and key and isinstance(params, dict):
            return ContractMessage(text[:start].rstrip(), key, {str(n): _param_text(v) for n, v in params.items()})
    return ContractMessage(text)


def _param_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class ServiceError(Exception):
    """A failure with a stable ``code``, the HTTP status to answer with and messages in both languages.

    Contract errors also carry the chaincode's message ``key`` and its ``params`` (see
    :func:`contract_error`).
    """

    def __init__(
        self,
        code: str,
        message: str,
        http_status: int | None = None,
        *,
        message_zh: str | None = None,
        field: str | None = None,
        source: str = "service",
        key: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        tables = (SERVICE_STATUS, CONTRACT_STATUS) if source == "service" else (CONTRACT_STATUS, SERVICE_STATUS)
        self.http_status = http_status or tables[0].get(code) or tables[1].get(code) or 500
        self.message_zh = message_zh or f"{CODE_LABELS_ZH.get(code, code)}：{message}"
        self.field = field
        self.source = source  # "service" (checked before the ledger), "contract" or "network"
        self.key = key
        self.params: dict[str, str] = dict(params or {})

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "message_zh": self.message_zh,
            "key": self.key,
            "params": self.params,
        }
        if self.field:
            body["field"] = self.field
        body["source"] = self.source
        return {"error": body}


def contract_error(code: str, chaincode_message: str, http_status: int | None = None) -> ServiceError:
    """The :class:`ServiceError` of a chaincode error: ``code`` and the message after ``CODE: ``."""
    parsed = parse_contract_message(chaincode_message)
    catalogue = message_catalogue()
    fallback = parsed.text or parsed.key or code
    message = catalogue.render(parsed.key, parsed.params, "en") or fallback
    message_zh = catalogue.render(parsed.key, parsed.params, "zh") or fallback
    return ServiceError(
        code,
        message,
        http_status,
        message_zh=f"{CODE_LABELS_ZH.get(code, code)}：{message_zh}",
        source="contract",
        key=parsed.key,
        params=parsed.params,
    )


def from_gateway_error(err: Exception) -> ServiceError:
    """Map an error of the gateway client to a :class:`ServiceError` with a stable code."""
    if isinstance(err, ServiceError):
        return err
    if isinstance(err, GatewayError):
        code = err.chaincode_code
        if code in CONTRACT_STATUS:
            return contract_error(code, err.chaincode_message or str(err))
        if code is None and err.chaincode_message:
            # A chaincode error without our CODE prefix (contract-api-go routing, shim): the caller's input.
            return contract_error("INVALID_ARGUMENT", err.chaincode_message, 400)
        if isinstance(err, CommitTimeoutError):
            return ServiceError("COMMIT_TIMEOUT", "the transaction did not commit in time", source="network")
        if isinstance(err, CommitError) and err.code_name == "ENDORSEMENT_POLICY_FAILURE":
            return ServiceError(
                "ENDORSEMENT_POLICY_FAILURE",
                "the transaction was ordered but refused: its endorsements do not satisfy the endorsement policy",
                message_zh="交易已排序但被拒绝：背书不满足背书策略",
                source="network",
            )
        if isinstance(err, CommitError):
            return ServiceError(
                "TX_INVALID", f"the transaction was ordered but marked {err.code_name}; try again", source="network"
            )
        if isinstance(err, GatewayConnectionError) or err.grpc_code in (
            grpc.StatusCode.UNAVAILABLE,
            grpc.StatusCode.DEADLINE_EXCEEDED,
        ):
            return ServiceError("NETWORK_UNAVAILABLE", _network_message(err), source="network")
        text = str(err)
        details = " ".join(d.message for d in getattr(err, "details", None) or [])
        if "access denied" in details or "access denied" in text:
            # The peer validated the proposal's creator against the channel's MSPs and refused it: a
            # revoked certificate (the org's CRL in the channel config), an expired one, or a foreign CA.
            return ServiceError(
                "IDENTITY_REVOKED",
                "the peer refused the caller's identity: its certificate is revoked or not valid on this channel",
                message_zh="节点拒绝了调用者的身份：其证书已被吊销或在本通道无效",
                source="network",
            )
        if "no combination of peers" in text or "failed to collect enough" in text or "no peers available" in text:
            return ServiceError("NETWORK_UNAVAILABLE", _network_message(err), source="network")
        return ServiceError("LEDGER_ERROR", err.message, source="network")
    if isinstance(err, (ConnectionError, OSError)):
        return ServiceError("NETWORK_UNAVAILABLE", f"the Fabric network is not reachable: {err}", source="network")
    raise err


def _network_message(err: GatewayError) -> str:
    first = err.message.splitlines()[0] if err.message else "unavailable"
    return f"the Fabric network is not reachable or not ready ({first[:200]}); check `make status`"
