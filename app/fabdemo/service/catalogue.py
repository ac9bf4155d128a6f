"""The operation catalogue: one entry per contract operation, as data.

The forms of the web UI, the OpenAPI description of ``POST /api/operations/{id}`` and the storyboards all
read this table; :func:`validate_args` turns user input into contract arguments with the same limits as
the contract (chaincode/contract/validate.go), so bad input is refused with a clear message before the
ledger sees it. Roles are shown to the user as guidance; the contract enforces them (roles are ledger data
and can be granted at run time), and its refusal is the answer the user sees.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from fabdemo.service.errors import ServiceError

ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")

SHORT, TEXT, LONG = 128, 256, 1024  # contract text limits (characters)
INPUT_TYPES = ("FERTILISER", "PESTICIDE", "HERBICIDE", "IRRIGATION", "OTHER")
PROCESSING_STEPS = ("WASHING", "GRADING", "PACKING", "COOLING", "OTHER")
STATUSES = ("HARVESTED", "PROCESSED", "PACKAGED", "SPLIT", "IN_TRANSIT", "RECEIVED", "QUARANTINED", "SOLD", "RECALLED")
ROLES = ("grower", "processor", "retailer", "carrier")

# Parameter types: how a value is checked and which widget the UI shows.
PARAM_TYPES = ("id", "text", "number", "date", "enum", "msp", "sha256", "currency", "children", "json")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    label_en: str
    label_zh: str
    required: bool = True
    min: float | None = None
    max: float | None = None
    min_length: int = 0
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    default: Any = None
    # Named default computed per request: lot_id, cert_id, product_id, today, next_year, salt, org_name,
    # msp:<role> (first org holding that role), lot (the lot in view), children (split the lot in view).
    default_factory: str | None = None
    positive: bool = False  # strictly greater than zero (quantities, prices)
    transient: bool = False  # goes into the private (transient) JSON, not the public arguments
    multiline: bool = False
    hint_en: str = ""
    hint_zh: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["choices"] = list(self.choices)
        return data


@dataclass(frozen=True)
class Operation:
    id: str
    function: str
    kind: str  # "submit" or "evaluate"
    label_en: str
    label_zh: str
    group: str
    roles: tuple[str, ...]  # who may perform it in real life; empty = any member
    params: tuple[Param, ...] = ()
    description_en: str = ""
    description_zh: str = ""
    endorse_roles: tuple[str, ...] = ()  # orgs (by role) that must endorse; empty = the channel policy
    transient_field: str | None = None  # name of the transient map entry carrying the transient params
    danger: bool = False
    # Lot statuses in which the lot page offers this action (empty: not offered there; "*": always).
    lot_statuses: tuple[str, ...] = ()

    @property
    def submit(self) -> bool:
        return self.kind == "submit"

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "function": self.function,
            "kind": self.kind,
            "label_en": self.label_en,
            "label_zh": self.label_zh,
            "group": self.group,
            "roles": list(self.roles),
            "endorse_roles": list(self.endorse_roles),
            "transient_field": self.transient_field,
            "description_en": self.description_en,
            "description_zh": self.description_zh,
            "params": [p.to_dict() for p in self.params],
            "lot_statuses": list(self.lot_statuses),
        }


def _lot(default_factory: str | None = "lot", name: str = "lotId") -> Param:
    return Param(name, "id", "Lot ID", "批次编号", default_factory=default_factory)


_REASON = Param("reason", "text", "Reason", "原因", min_length=1, max_length=LONG, multiline=True)
_LOCATION = Param("location", "text", "Location", "地点", required=False, max_length=TEXT, default="")

_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "define_product",
        "DefineProduct",
        "submit",
        "Define a product",
        "定义产品",
        "farm",
        ("grower", "processor"),
        (
            Param("productId", "id", "Product ID", "产品编号", default_factory="product_id"),
            Param("name", "text", "Name", "名称", min_length=1, max_length=SHORT, default="Butterhead lettuce"),
            Param("minTempC", "number", "Min. temperature (°C)", "最低温度 (°C)", min=-100, max=100, default=1),
            Param("maxTempC", "number", "Max. temperature (°C)", "最高温度 (°C)", min=-100, max=100, default=4),
        ),
        "A kind of produce and the cold-chain range it must stay in.",
        "一种农产品及其冷链温度范围。",
    ),
    Operation(
        "harvest",
        "HarvestLot",
        "submit",
        "Harvest a lot",
        "采收批次",
        "farm",
        ("grower",),
        (
            _lot("lot_id"),
            Param("productId", "id", "Product ID", "产品编号", default="PRD-LETTUCE"),
            Param("variety", "text", "Variety", "品种", required=False, max_length=SHORT, default="Butterhead"),
            Param(
                "quantity",
                "number",
                "Quantity",
                "数量",
                min=0,
                max=1e9,
                default=120,
                positive=True,
                hint_en="greater than 0",
                hint_zh="大于 0",
            ),
            Param("unit", "text", "Unit", "单位", min_length=1, max_length=32, default="kg"),
            Param("farmName", "text", "Farm", "农场", min_length=1, max_length=SHORT, default_factory="org_name"),
            Param(
                "farmLocation",
                "text",
                "Farm location",
                "农场地址",
                required=False,
                max_length=TEXT,
                default="Valley Road 1",
            ),
            Param("plot", "text", "Plot", "地块", required=False, max_length=SHORT, default="Plot 7"),
            Param("harvestDate", "date", "Harvest date", "采收日期", default_factory="today"),
        ),
        "Creates a farm lot held by the grower.",
        "创建由种植方持有的农场批次。",
    ),
    Operation(
        "record_input",
        "RecordInput",
        "submit",
        "Record an input",
        "记录投入品",
        "farm",
        ("grower",),
        (
            _lot(),
            Param("inputType", "enum", "Input type", "投入品类型", choices=INPUT_TYPES, default="FERTILISER"),
            Param(
                "product", "text", "Product used", "所用产品", min_length=1, max_length=SHORT, default="Organic compost"
            ),
            Param("dose", "text", "Dose", "用量", required=False, max_length=SHORT, default="2 t/ha"),
            Param("appliedDate", "date", "Applied on", "施用日期", default_factory="today"),
        ),
        "Fertiliser, pesticide or irrigation applied by the grower.",
        "种植方施用的肥料、农药或灌溉。",
    ),
    Operation(
        "anchor_certificate",
        "AnchorCertificate",
        "submit",
        "Anchor a certificate",
        "锚定证书",
        "documents",
        (),
        (
            _lot(),
            Param("certId", "id", "Certificate ID", "证书编号", default_factory="cert_id"),
            Param("certType", "text", "Type", "类型", min_length=1, max_length=SHORT, default="Organic"),
            Param("issuer", "text", "Issuer", "颁发机构", min_length=1, max_length=SHORT, default="EcoCert"),
            Param(
                "sha256Hex",
                "sha256",
                "SHA-256 of the document",
                "文件的 SHA-256",
                hint_en="64 lowercase hex characters; the document check page computes it",
                hint_zh="64 位小写十六进制；文件核验页面可计算",
            ),
            Param("validFrom", "date", "Valid from", "生效日期", default_factory="today"),
            Param("validUntil", "date", "Valid until", "失效日期", default_factory="next_year"),
        ),
        "Only the document's hash goes on the ledger; the custodian anchors it.",
        "账本上只保存文件的哈希；由保管方锚定。",
    ),
    Operation(
        "verify_certificate",
        "VerifyCertificate",
        "evaluate",
        "Verify a certificate",
        "核验证书",
        "documents",
        (),
        (
            _lot(),
            Param("certId", "id", "Certificate ID", "证书编号"),
            Param("sha256Hex", "sha256", "SHA-256 of the document", "文件的 SHA-256"),
        ),
        "Compares a hash with the one anchored on the lot or its ancestors.",
        "将哈希与批次或其上游批次上锚定的哈希比对。",
    ),
    Operation(
        "process",
        "ProcessLot",
        "submit",
        "Process a lot",
        "加工批次",
        "processing",
        ("processor",),
        (
            _lot(),
            Param("step", "enum", "Step", "工序", choices=PROCESSING_STEPS, default="WASHING"),
            Param("notes", "text", "Notes", "备注", required=False, max_length=LONG, default="", multiline=True),
        ),
        "A processing step by the processor holding the lot.",
        "由持有批次的加工方完成的加工工序。",
    ),
    Operation(
        "split",
        "SplitLot",
        "submit",
        "Split into packages",
        "分装批次",
        "processing",
        ("processor",),
        (
            _lot(name="parentId"),
            Param(
                "childrenJSON",
                "children",
                "Packages (lot ID:quantity, …)",
                "包装（批次编号:数量，…）",
                default_factory="children",
                multiline=True,
                hint_en="e.g. LOT-1-P1:50, LOT-1-P2:50",
                hint_zh="例如 LOT-1-P1:50, LOT-1-P2:50",
            ),
        ),
        "Creates 1–100 packaged child lots from the processor's lot.",
        "从加工方的批次中分出 1–100 个包装子批次。",
    ),
    Operation(
        "propose_transfer",
        "ProposeTransfer",
        "submit",
        "Hand over (ship)",
        "发起交接（发货）",
        "custody",
        (),
        (
            _lot(),
            Param("toMsp", "msp", "To organisation", "接收组织"),
            Param(
                "carrier", "text", "Carrier", "承运人", required=False, max_length=SHORT, default="ColdLine Logistics"
            ),
            Param("vehicle", "text", "Vehicle", "车辆", required=False, max_length=SHORT, default="Reefer truck 12"),
            Param("route", "text", "Route", "路线", required=False, max_length=TEXT, default="Valley → City hub"),
        ),
        "The custodian proposes; the receiver must confirm.",
        "由保管方发起；接收方必须确认。",
    ),
    Operation(
        "accept_transfer",
        "AcceptTransfer",
        "submit",
        "Confirm receipt",
        "确认收货",
        "custody",
        (),
        (_lot(),),
        "The receiving organisation takes custody.",
        "接收组织接管批次。",
    ),
    Operation(
        "reject_transfer",
        "RejectTransfer",
        "submit",
        "Reject delivery",
        "拒收",
        "custody",
        (),
        (_lot(), _REASON),
        "The receiving organisation refuses the delivery.",
        "接收组织拒绝收货。",
    ),
    Operation(
        "cancel_transfer",
        "CancelTransfer",
        "submit",
        "Cancel shipment",
        "取消发货",
        "custody",
        (),
        (_lot(),),
        "The proposer withdraws the hand-over.",
        "发起方撤回交接。",
    ),
    Operation(
        "checkpoint",
        "RecordCheckpoint",
        "submit",
        "GPS checkpoint",
        "GPS 检查点",
        "sensors",
        (),
        (
            _lot(),
            Param("latitude", "number", "Latitude", "纬度", min=-90, max=90, default=31.2304),
            Param("longitude", "number", "Longitude", "经度", min=-180, max=180, default=121.4737),
            Param("location", "text", "Location", "地点", required=False, max_length=TEXT, default="City hub"),
            Param("note", "text", "Note", "备注", required=False, max_length=LONG, default=""),
        ),
        "Custodian, or a carrier while the lot is in transit.",
        "由保管方或运输途中的承运方记录。",
    ),
    Operation(
        "temperature",
        "RecordTemperature",
        "submit",
        "Temperature reading",
        "温度读数",
        "sensors",
        (),
        (
            _lot(),
            Param("celsius", "number", "Temperature (°C)", "温度 (°C)", min=-100, max=100, default=3.5),
            Param("location", "text", "Location", "地点", required=False, max_length=TEXT, default="Reefer truck 12"),
        ),
        "Outside the product's range the lot is quarantined and an alert raised.",
        "超出产品温度范围时批次被隔离并发出警报。",
    ),
    Operation(
        "release_quarantine",
        "ReleaseQuarantine",
        "submit",
        "Release quarantine",
        "解除隔离",
        "sensors",
        (),
        (_lot(), _REASON),
        "The custodian releases a quarantined lot after inspection.",
        "检查后由保管方解除隔离。",
    ),
    Operation(
        "mark_sold",
        "MarkSold",
        "submit",
        "Mark sold",
        "标记售出",
        "retail",
        ("retailer",),
        (_lot(), Param("store", "text", "Store", "门店", min_length=1, max_length=SHORT, default="CityMart Downtown")),
        "The retailer holding the lot sells it.",
        "持有批次的零售商售出。",
    ),
    Operation(
        "authenticity",
        "CheckAuthenticity",
        "submit",
        "Authenticity check",
        "真伪查验",
        "retail",
        (),
        (_lot(), Param("location", "text", "Scanned at", "扫描地点", min_length=1, max_length=SHORT, default="Online")),
        "A consumer scan: records where it was scanned; scans at several places hint at a cloned code.",
        "消费者扫码：记录扫描地点；多处扫描提示可能被仿冒。",
    ),
    Operation(
        "recall",
        "RecallLot",
        "submit",
        "Recall",
        "召回",
        "recall",
        ("grower", "processor"),
        (
            _lot(),
            Param(
                "reason",
                "text",
                "Reason",
                "原因",
                min_length=1,
                max_length=LONG,
                multiline=True,
                default="Listeria found in a sample",
            ),
        ),
        "Recalls the lot and everything made from it (grower, processor or custodian).",
        "召回该批次及其所有下游批次（种植方、加工方或保管方）。",
        danger=True,
    ),
    Operation(
        "set_price",
        "SetPrice",
        "submit",
        "Set private price",
        "设定私密价格",
        "price",
        ("processor", "retailer"),
        (
            _lot(),
            Param("buyerMsp", "msp", "Buyer", "买方", transient=True, default_factory="msp:retailer"),
            Param("sellerMsp", "msp", "Seller", "卖方", transient=True, default_factory="msp:processor"),
            Param(
                "unitPrice",
                "number",
                "Unit price",
                "单价",
                min=0,
                max=1e9,
                transient=True,
                default=2.35,
                positive=True,
                hint_en="greater than 0",
                hint_zh="大于 0",
            ),
            Param("currency", "currency", "Currency", "币种", transient=True, default="EUR"),
            Param(
                "terms",
                "text",
                "Terms",
                "条款",
                required=False,
                max_length=LONG,
                transient=True,
                default="Net 30, delivered",
            ),
            Param(
                "salt",
                "text",
                "Salt",
                "盐值",
                min_length=8,
                max_length=128,
                transient=True,
                default_factory="salt",
                hint_en="random; stops anyone guessing the price from its hash",
                hint_zh="随机值；防止通过哈希猜出价格",
            ),
        ),
        "Goes to the private collection of processor and retailer; only its hash is public.",
        "存入加工方与零售商的私有数据集合；公开账本只保存其哈希。",
        endorse_roles=("processor", "retailer"),
        transient_field="price",
    ),
    Operation(
        "get_price",
        "GetPrice",
        "evaluate",
        "Read private price",
        "读取私密价格",
        "price",
        ("processor", "retailer"),
        (_lot(),),
        "Only the processor and the retailer can read it.",
        "只有加工方和零售商可以读取。",
    ),
    Operation(
        "verify_price",
        "VerifyPrice",
        "evaluate",
        "Verify a disclosed price",
        "核验披露的价格",
        "price",
        (),
        (_lot(), Param("disclosedJSON", "json", "Disclosed price JSON", "披露的价格 JSON", multiline=True)),
        "Anyone can check a disclosed price against the hash on the ledger.",
        "任何人都可以用账本上的哈希核验披露的价格。",
    ),
    Operation("get_lot", "GetLot", "evaluate", "Get a lot", "查询批次", "query", (), (_lot(),)),
    Operation("lot_events", "GetLotEvents", "evaluate", "Lot events", "批次事件", "query", (), (_lot(),)),
    Operation("lot_history", "GetLotHistory", "evaluate", "Lot history", "批次历史", "query", (), (_lot(),)),
    Operation("trace", "TraceLot", "evaluate", "Trace a lot", "追溯批次", "query", (), (_lot(),)),
    Operation("list_lots", "ListLots", "evaluate", "List lots", "批次列表", "query", ()),
    Operation(
        "lots_by_status",
        "ListLotsByStatus",
        "evaluate",
        "Lots by status",
        "按状态列出批次",
        "query",
        (),
        (Param("status", "enum", "Status", "状态", choices=STATUSES, default="HARVESTED"),),
    ),
    Operation(
        "lots_by_custodian",
        "ListLotsByCustodian",
        "evaluate",
        "Lots by custodian",
        "按保管方列出批次",
        "query",
        (),
        (Param("mspId", "msp", "Custodian", "保管方"),),
    ),
    Operation(
        "get_product",
        "GetProduct",
        "evaluate",
        "Get a product",
        "查询产品",
        "query",
        (),
        (Param("productId", "id", "Product ID", "产品编号", default="PRD-LETTUCE"),),
    ),
    Operation("list_products", "ListProducts", "evaluate", "List products", "产品列表", "query", ()),
    Operation("get_roles", "GetRoles", "evaluate", "Roles", "角色", "query", ()),
)

_WORKABLE = ("HARVESTED", "PROCESSED", "PACKAGED", "RECEIVED")
_ACTIVE = (*_WORKABLE, "IN_TRANSIT", "QUARANTINED")
# Where the lot page offers each action (guidance for the user; the contract decides).
LOT_ACTIONS: dict[str, tuple[str, ...]] = {
    "record_input": ("HARVESTED",),
    "process": _WORKABLE,
    "split": ("PROCESSED", "PACKAGED", "RECEIVED"),
    "propose_transfer": _WORKABLE,
    "accept_transfer": ("IN_TRANSIT",),
    "reject_transfer": ("IN_TRANSIT",),
    "cancel_transfer": ("IN_TRANSIT",),
    "checkpoint": _ACTIVE,
    "temperature": _ACTIVE,
    "release_quarantine": ("QUARANTINED",),
    "mark_sold": ("RECEIVED", "PACKAGED", "PROCESSED"),
    "anchor_certificate": ("*",),
    "set_price": (*_ACTIVE, "SOLD"),
    "recall": (*_ACTIVE, "SOLD", "SPLIT"),
}
OPERATIONS: tuple[Operation, ...] = tuple(replace(op, lot_statuses=LOT_ACTIONS.get(op.id, ())) for op in _OPERATIONS)
OPERATIONS_BY_ID: dict[str, Operation] = {op.id: op for op in OPERATIONS}

GROUPS: dict[str, tuple[str, str]] = {
    "farm": ("Farm", "农场"),
    "processing": ("Processing", "加工"),
    "custody": ("Custody", "交接"),
    "sensors": ("Cold chain & GPS", "冷链与 GPS"),
    "retail": ("Retail", "零售"),
    "documents": ("Certificates", "证书"),
    "recall": ("Recall", "召回"),
    "price": ("Private prices", "私密价格"),
    "query": ("Queries", "查询"),
}


def lot_actions(status: str) -> list[Operation]:
    """Operations the lot page offers for a lot in ``status``."""
    return [op for op in OPERATIONS if "*" in op.lot_statuses or status in op.lot_statuses]


def get_operation(op_id: str) -> Operation:
    try:
        return OPERATIONS_BY_ID[op_id]
    except KeyError:
        raise ServiceError("UNKNOWN_OPERATION", f"unknown operation {op_id!r}") from None


# -- validation -------------------------------------------------------------------------------------------


def _invalid(param: Param, message: str, message_zh: str) -> ServiceError:
    return ServiceError(
        "INVALID_ARGUMENT",
        f"{param.name}: {message}",
        message_zh=f"参数无效：「{param.label_zh}」{message_zh}",
        field=param.name,
    )


def _check_text(param: Param, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _invalid(param, "must be text", "必须是文本")
    text = str(value)
    n = len(text)
    if n < param.min_length or (param.max_length is not None and n > param.max_length):
        raise _invalid(
            param,
            f"must be {param.min_length}-{param.max_length} characters, got {n}",
            f"长度必须在 {param.min_length} 到 {param.max_length} 个字符之间，实际为 {n}",
        )
    if param.min_length and not text.strip():
        raise _invalid(param, "must not be blank", "不能为空")
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
        raise _invalid(param, "contains a control character", "包含控制字符")
    return text


def _check_number(param: Param, value: Any) -> float:
    if isinstance(value, bool):
        raise _invalid(param, "must be a number", "必须是数字")
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _invalid(param, f"must be a number, got {value[:40]!r}", "必须是数字") from None
    elif isinstance(value, (int, float)):
        number = float(value)
    else:
        raise _invalid(param, "must be a number", "必须是数字")
    if not math.isfinite(number):
        raise _invalid(param, "must be a finite number", "必须是有限的数字")
    lo, hi = param.min, param.max
    if param.positive:
        if not 0 < number <= (hi if hi is not None else math.inf):
            raise _invalid(param, f"must be greater than 0 and at most {hi:g}", f"必须大于 0 且不超过 {hi:g}")
    elif (lo is not None and number < lo) or (hi is not None and number > hi):
        raise _invalid(param, f"must be between {lo:g} and {hi:g}, got {number:g}", f"必须在 {lo:g} 到 {hi:g} 之间")
    return number


def _check_children(param: Param, value: Any) -> list[dict[str, Any]]:
    """Children of a split: a list of {lotId, quantity}, its JSON, or the form text ``ID:qty, ID:qty``."""
    items: Any = value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                items = json.loads(text)
            except json.JSONDecodeError as err:
                raise _invalid(param, f"is not valid JSON: {err.msg}", "不是有效的 JSON") from None
        else:
            items = []
            for part in re.split(r"[,\n;]+", text):
                if not part.strip():
                    continue
                lot_id, sep, qty = part.strip().rpartition(":")
                if not sep:
                    raise _invalid(param, f"entry {part.strip()!r} must be LOT-ID:quantity", "每项必须是 批次编号:数量")
                items.append({"lotId": lot_id.strip(), "quantity": qty.strip()})
    if not isinstance(items, list) or not 1 <= len(items) <= 100:
        raise _invalid(param, "must list 1-100 packages", "必须列出 1 到 100 个包装")
    children = []
    for item in items:
        if not isinstance(item, dict) or set(item) != {"lotId", "quantity"}:
            raise _invalid(
                param, "each package needs exactly lotId and quantity", "每个包装必须且只能包含批次编号和数量"
            )
        lot_param = Param("lotId", "id", "package lot ID", "包装批次编号")
        qty_param = Param("quantity", "number", "package quantity", "包装数量", min=0, max=1e9, positive=True)
        children.append(
            {"lotId": _check_id(lot_param, item["lotId"]), "quantity": _check_number(qty_param, item["quantity"])}
        )
    return children


def _check_id(param: Param, value: Any) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise _invalid(
            param,
            "must be 1-64 characters of A-Z a-z 0-9 . _ -",
            "必须是 1 到 64 个字符（字母、数字、. _ -）",
        )
    return value


def _check_value(param: Param, value: Any) -> Any:
    kind = param.type
    if kind in ("id", "msp"):
        return _check_id(param, value.strip() if isinstance(value, str) else value)
    if kind == "text":
        return _check_text(param, value)
    if kind == "number":
        return _check_number(param, value)
    if kind == "date":
        if not isinstance(value, str) or not DATE_PATTERN.match(value):
            raise _invalid(param, "must be a date YYYY-MM-DD", "必须是日期 YYYY-MM-DD")
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise _invalid(param, f"{value} is not a calendar date", "不是有效的日期") from None
        return value
    if kind == "enum":
        if value not in param.choices:
            raise _invalid(
                param, f"must be one of {', '.join(param.choices)}", f"必须是 {'、'.join(param.choices)} 之一"
            )
        return value
    if kind == "sha256":
        if not isinstance(value, str) or not SHA256_PATTERN.match(value.strip().lower()):
            raise _invalid(param, "must be 64 hex characters", "必须是 64 位十六进制字符")
        return value.strip().lower()
    if kind == "currency":
        if not isinstance(value, str) or not CURRENCY_PATTERN.match(value.strip()):
            raise _invalid(param, "must be a 3-letter upper-case currency code", "必须是 3 位大写货币代码")
        return value.strip()
    if kind == "children":
        return _check_children(param, value)
    if kind == "json":
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        if not 1 <= len(text) <= 64 * 1024:
            raise _invalid(param, "must be 1-65536 bytes", "长度必须在 1 到 65536 字节之间")
        return text
    raise AssertionError(f"unknown parameter type {kind}")


def validate_args(op: Operation, args: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check ``args`` against the catalogue; returns the clean values (raises ServiceError 422)."""
    if args is None:
        args = {}
    if not isinstance(args, Mapping):
        raise ServiceError("INVALID_ARGUMENT", "args must be an object of parameter values", 422)
    known = {p.name for p in op.params}
    unknown = sorted(set(args) - known)
    if unknown:
        raise ServiceError(
            "INVALID_ARGUMENT",
            f"unknown parameter(s) for {op.id}: {', '.join(unknown)}",
            message_zh=f"参数无效：{op.label_zh} 没有参数 {', '.join(unknown)}",
            field=unknown[0],
        )
    clean: dict[str, Any] = {}
    for param in op.params:
        value = args.get(param.name)
        if value is None and param.default is not None:
            value = param.default  # an omitted parameter with a fixed default takes it (API convenience)
        if value is None or (isinstance(value, str) and value == "" and param.type not in ("text",)):
            if param.required or param.type == "number":
                raise _invalid(param, "is required", "为必填项")
            value = ""
        if param.type == "text" and value == "" and param.required and param.min_length:
            raise _invalid(param, "is required", "为必填项")
        clean[param.name] = _check_value(param, value)
    return clean


def format_number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def to_contract_arguments(op: Operation, clean: Mapping[str, Any]) -> tuple[list[str], dict[str, bytes] | None]:
    """Positional string arguments and, if the operation has one, the transient map."""
    args: list[str] = []
    private: dict[str, Any] = {}
    for param in op.params:
        value = clean[param.name]
        if param.transient:
            private[param.name] = value
            continue
        if param.type == "number":
            args.append(format_number(value))
        elif param.type == "children":
            args.append(json.dumps(value, separators=(",", ":")))
        else:
            args.append(str(value))
    transient = None
    if op.transient_field:
        # The exact bytes are hashed on the ledger, so the key order and spacing are fixed here, once.
        transient = {op.transient_field: json.dumps(private, separators=(",", ":"), ensure_ascii=False).encode()}
    return args, transient


# -- defaults -------------------------------------------------------------------------------------------


@dataclass
class DefaultContext:
    """What default factories may use: the acting org, the orgs by role and the lot in view."""

    org_name: str = ""
    msp_by_role: dict[str, str] = field(default_factory=dict)
    lot: Mapping[str, Any] | None = None
    today: dt.date | None = None


def _today(ctx: DefaultContext) -> dt.date:
    return ctx.today or dt.datetime.now(dt.UTC).date()


def default_value(param: Param, ctx: DefaultContext) -> Any:
    factory = param.default_factory
    if factory is None:
        return param.default
    suffix = secrets.token_hex(2).upper()
    if factory == "lot_id":
        return f"LOT-{_today(ctx):%Y%m%d}-{suffix}"
    if factory == "cert_id":
        return f"CERT-{_today(ctx):%Y}-{suffix}"
    if factory == "product_id":
        return f"PRD-{suffix}"
    if factory == "today":
        return _today(ctx).isoformat()
    if factory == "next_year":
        return (_today(ctx) + dt.timedelta(days=365)).isoformat()
    if factory == "salt":
        return secrets.token_hex(8)
    if factory == "org_name":
        return ctx.org_name
    if factory.startswith("msp:"):
        return ctx.msp_by_role.get(factory[4:], "")
    if factory == "lot":
        return (ctx.lot or {}).get("lotId", "")
    if factory == "children":
        lot = ctx.lot or {}
        remaining = float(lot.get("remainingQuantity") or 0)
        if not lot.get("lotId") or remaining <= 0:
            return ""
        half = format_number(round(remaining / 2, 6))
        rest = format_number(round(remaining - float(half), 6))
        return f"{lot['lotId']}-P1:{half}, {lot['lotId']}-P2:{rest}"
    raise AssertionError(f"unknown default factory {factory}")


def defaults(op: Operation, ctx: DefaultContext) -> dict[str, Any]:
    return {p.name: default_value(p, ctx) for p in op.params}
