"""Service errors: one stable code and HTTP status per kind of failure, with an English and a Chinese message.

Contract errors arrive as ``CODE: message`` inside the gateway error (``chaincode_code`` /
``chaincode_message``); they keep their code. Failures of the network itself become
``NETWORK_UNAVAILABLE`` (503) so that a user error is never reported as a server fault.
"""

from __future__ import annotations

import re
from typing import Any

import grpc

from fabric_gateway import CommitError, CommitTimeoutError, GatewayConnectionError, GatewayError

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

# The contract's most frequent messages, in Chinese. Anything else keeps the English text after the
# translated code label, so a message is never lost.
_MESSAGE_ZH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^lot (\S+) does not exist$"), "批次 {0} 不存在"),
    (re.compile(r"^product (\S+) does not exist$"), "产品 {0} 不存在"),
    (re.compile(r"^lot (\S+) already exists$"), "批次 {0} 已存在"),
    (re.compile(r"^product (\S+) already exists$"), "产品 {0} 已存在"),
    (re.compile(r"^lot (\S+) has been recalled$"), "批次 {0} 已被召回"),
    (re.compile(r"^lot (\S+) is held by (\S+), not (\S+)$"), "批次 {0} 由 {1} 保管，而不是 {2}"),
    (re.compile(r"^(\S+) must hold the (.+) role$"), "{0} 必须拥有 {1} 角色"),
    (
        re.compile(r"^cannot (.+) lot (\S+) while it is (\S+) \(needs (.+)\)$"),
        "批次 {1} 处于 {2} 状态，无法执行此操作（需要 {3}）",
    ),
    (re.compile(r"^lot (\S+) has no pending transfer$"), "批次 {0} 没有待处理的交接"),
    (
        re.compile(r"^only the receiver (\S+) may accept or reject the transfer of lot (\S+)$"),
        "只有接收方 {0} 可以接受或拒绝批次 {1} 的交接",
    ),
    (
        re.compile(r"^only the proposer (\S+) may cancel the transfer of lot (\S+)$"),
        "只有发起方 {0} 可以取消批次 {1} 的交接",
    ),
    (re.compile(r"^no price recorded for lot (\S+)$"), "批次 {0} 没有记录价格"),
    (re.compile(r"^cannot transfer a lot to yourself \((\S+)\)$"), "不能把批次交接给自己（{0}）"),
]


def translate_message(message: str) -> str | None:
    for pattern, template in _MESSAGE_ZH:
        match = pattern.match(message.strip())
        if match:
            return template.format(*match.groups())
    return None


class ServiceError(Exception):
    """A failure with a stable ``code``, the HTTP status to answer with and messages in both languages."""

    def __init__(
        self,
        code: str,
        message: str,
        http_status: int | None = None,
        *,
        message_zh: str | None = None,
        field: str | None = None,
        source: str = "service",
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        tables = (SERVICE_STATUS, CONTRACT_STATUS) if source == "service" else (CONTRACT_STATUS, SERVICE_STATUS)
        self.http_status = http_status or tables[0].get(code) or tables[1].get(code) or 500
        label = CODE_LABELS_ZH.get(code, code)
        self.message_zh = message_zh or f"{label}：{translate_message(message) or message}"
        self.field = field
        self.source = source  # "service" (checked before the ledger), "contract" or "network"

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "message_zh": self.message_zh}
        if self.field:
            body["field"] = self.field
        body["source"] = self.source
        return {"error": body}


def from_gateway_error(err: Exception) -> ServiceError:
    """Map an error of the gateway client to a :class:`ServiceError` with a stable code."""
    if isinstance(err, ServiceError):
        return err
    if isinstance(err, GatewayError):
        code = err.chaincode_code
        if code in CONTRACT_STATUS:
            return ServiceError(code, err.chaincode_message or str(err), source="contract")
        if code is None and err.chaincode_message:
            # A chaincode error without our CODE prefix (contract-api-go routing, shim): the caller's input.
            return ServiceError("INVALID_ARGUMENT", err.chaincode_message, 400, source="contract")
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
        if "no combination of peers" in text or "failed to collect enough" in text or "no peers available" in text:
            return ServiceError("NETWORK_UNAVAILABLE", _network_message(err), source="network")
        return ServiceError("LEDGER_ERROR", err.message, source="network")
    if isinstance(err, (ConnectionError, OSError)):
        return ServiceError("NETWORK_UNAVAILABLE", f"the Fabric network is not reachable: {err}", source="network")
    raise err


def _network_message(err: GatewayError) -> str:
    first = err.message.splitlines()[0] if err.message else "unavailable"
    return f"the Fabric network is not reachable or not ready ({first[:200]}); check `make status`"
