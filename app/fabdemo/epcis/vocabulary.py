"""The words both directions share: GS1 identifiers, CBV business steps and dispositions, units, and
the organisations' locations (locations.yaml).

Export (``export.py``) and capture (``capture.py``) read the same tables, so what goes out can come
back in. Identifiers use the GS1 Digital Link form for classes (``https://id.gs1.org/01/{gtin}/10/
{lot}``, which EPCIS 2.0 accepts and the event hash algorithm normalises) and EPC URNs for locations
and parties (``urn:epc:id:sgln:...`` / ``urn:epc:id:pgln:...``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import yaml

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
KIT_NAMESPACE = "https://fabric-demo-kit.example.org/epcis/"  # the kit's extensions: fabdemo:txId, ...
KIT_PREFIX = "fabdemo"
DL_BASE = "https://id.gs1.org"

# The kit's Critical Tracking Events (FSMA 204) and how their EPCIS events look.
CTE_HARVESTING = "HARVESTING"
CTE_COOLING = "COOLING"
CTE_INITIAL_PACKING = "INITIAL_PACKING"
CTE_SHIPPING = "SHIPPING"
CTE_RECEIVING = "RECEIVING"
CTE_TRANSFORMATION = "TRANSFORMATION"
CRITICAL_TRACKING_EVENTS = (
    CTE_HARVESTING, CTE_COOLING, CTE_INITIAL_PACKING, CTE_SHIPPING, CTE_RECEIVING, CTE_TRANSFORMATION,
)  # fmt: skip

# CBV 2.0 business steps the kit writes and reads (bare words, as in the JSON-LD binding).
BIZ_STEPS = {
    "commissioning",  # harvest: a lot comes into being (ObjectEvent ADD); processing (TransformationEvent)
    "storing",  # cooling (ObjectEvent OBSERVE)
    "packing",  # initial packing (AggregationEvent ADD)
    "shipping",
    "receiving",
    "sensor_reporting",  # temperature readings (sensorElementList)
    "transporting",  # GPS checkpoints (readPoint geo: URI)
    "retail_selling",
    "repackaging",  # splitting into packages (TransformationEvent)
}
DISPOSITIONS = {"active", "in_progress", "in_transit", "retail_sold", "non_sellable_other"}

# The kit's reference document types and the CBV business transaction types they are.
DOC_TYPE_TO_BTT = {
    "BILL_OF_LADING": "bol",
    "ASN": "desadv",
    "INVOICE": "inv",
    "PURCHASE_ORDER": "po",
    "PACKING_LIST": "desadv",
    "WORK_ORDER": "prodorder",
    "OTHER": "testprd",
}
BTT_TO_DOC_TYPE = {"bol": "BILL_OF_LADING", "desadv": "ASN", "inv": "INVOICE", "po": "PURCHASE_ORDER",
                   "prodorder": "WORK_ORDER", "testprd": "OTHER", "pedigree": "OTHER", "poc": "PURCHASE_ORDER",
                   "recadv": "ASN", "rma": "OTHER", "cert": "OTHER"}  # fmt: skip
DOC_LABELS = {
    "BILL_OF_LADING": ("Bill of lading", "提单"),
    "ASN": ("Advance ship notice", "发货通知"),
    "INVOICE": ("Invoice", "发票"),
    "PURCHASE_ORDER": ("Purchase order", "采购订单"),
    "PACKING_LIST": ("Packing list", "装箱单"),
    "WORK_ORDER": ("Work order", "工单"),
    "OTHER": ("Other", "其他"),
}

# Units of the kit (free text on the ledger) and UN/ECE Recommendation 20 codes (EPCIS uom).
UNIT_TO_UOM = {"kg": "KGM", "g": "GRM", "t": "TNE", "lb": "LBR", "l": "LTR", "pcs": "H87", "piece": "H87",
               "pieces": "H87", "each": "H87", "box": "XBX", "boxes": "XBX", "case": "XCS", "cases": "XCS"}  # fmt: skip
UOM_TO_UNIT = {"KGM": "kg", "GRM": "g", "TNE": "t", "LBR": "lb", "LTR": "l", "H87": "pcs", "XBX": "box", "XCS": "case"}


def check_digit(body: str) -> str:
    """GS1 mod-10 check digit of a GTIN, GLN or SSCC body (all digits but the last)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def valid_gs1_number(number: str, length: int) -> bool:
    return len(number) == length and number.isdigit() and check_digit(number[:-1]) == number[-1]


def lot_class_uri(gtin: str, lot_id: str) -> str:
    """The class of a lot: GS1 Digital Link with GTIN and batch/lot (AI 10)."""
    return f"{DL_BASE}/01/{gtin}/10/{quote(lot_id, safe='')}"


def product_class_uri(product_id: str) -> str:
    """A product without a GTIN: a class URI in the kit's own namespace (EPCIS allows any URI)."""
    return f"{KIT_NAMESPACE}product/{quote(product_id, safe='')}"


@dataclass(frozen=True)
class OrgLocation:
    msp_id: str
    gln: str
    name: str
    name_zh: str
    address: str
    prefix_length: int
    geo: tuple[float, float] | None = None

    @property
    def sgln(self) -> str:
        """urn:epc:id:sgln:CompanyPrefix.LocationReference.Extension (extension 0: the site itself)."""
        body = self.gln[:-1]
        return f"urn:epc:id:sgln:{body[: self.prefix_length]}.{body[self.prefix_length :]}.0"

    @property
    def pgln(self) -> str:
        body = self.gln[:-1]
        return f"urn:epc:id:pgln:{body[: self.prefix_length]}.{body[self.prefix_length :]}"


@dataclass(frozen=True)
class Locations:
    by_msp: dict[str, OrgLocation]

    def of(self, msp_id: str) -> OrgLocation | None:
        return self.by_msp.get(msp_id)

    def msp_of_uri(self, uri: str) -> str | None:
        """The org whose site or party an SGLN / PGLN URN (or a Digital Link /414/ or /417/) names."""
        gln = gln_of_uri(uri)
        return next((loc.msp_id for loc in self.by_msp.values() if gln and loc.gln == gln), None)


def gln_of_uri(uri: str) -> str | None:
    """The GLN in urn:epc:id:sgln|pgln or a Digital Link with AI 414/417 (None for anything else)."""
    if not isinstance(uri, str):
        return None
    if uri.startswith(("urn:epc:id:sgln:", "urn:epc:id:pgln:")):
        parts = uri.split(":", 4)[4].split(".")
        if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
            return None
        body = parts[0] + parts[1]
        return body + check_digit(body) if len(body) == 12 else None
    for ai in ("/414/", "/417/"):
        if ai in uri:
            gln = unquote(uri.split(ai, 1)[1].split("/", 1)[0])
            return gln if valid_gs1_number(gln, 13) else None
    return None


@functools.cache
def locations() -> Locations:
    data: dict[str, Any] = yaml.safe_load((Path(__file__).with_name("locations.yaml")).read_text(encoding="utf-8"))
    length = int(data["company_prefix_length"])
    by_msp = {
        msp: OrgLocation(
            msp,
            str(v["gln"]),
            v["name"],
            v.get("name_zh", v["name"]),
            v.get("address", ""),
            length,
            tuple(v["geo"]) if v.get("geo") else None,
        )
        for msp, v in data["orgs"].items()
    }
    return Locations(by_msp)
