"""Read models for the pages and the API: compositions of ``perform`` calls, plus ledger proofs.

Nothing here talks to the contract except through :class:`~fabdemo.service.contracts.ContractService`,
so each contract function still has one code path.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from typing import Any, Protocol

from fabdemo.network.topology import PeerOrg
from fabdemo.service.contracts import ContractService
from fabdemo.service.errors import ServiceError
from fabdemo.service.lotindex import LotIndex, matches, newest_first
from fabdemo.service.orgs import OrgDirectory

DASHBOARD_PAGE_SIZE = 50


class ProofIndex(Protocol):
    """Proofs of transactions already read from the chain (the block follower)."""

    def proof(self, tx_id: str) -> dict[str, Any] | None: ...


def status_counts(lots: list[dict[str, Any]]) -> dict[str, int]:
    return dict(Counter(lot.get("status", "") for lot in lots))


class ReadModels:
    def __init__(
        self, contracts: ContractService, orgs: OrgDirectory, proofs: ProofIndex, lots: LotIndex | None = None
    ) -> None:
        self.contracts = contracts
        self.orgs = orgs
        self.proofs = proofs
        self.lots = lots  # the block follower's lot index (None where blocks are not followed)

    async def _query(self, org_key: str | None, op_id: str, args: dict[str, Any] | None = None) -> Any:
        return await self.contracts.query(org_key, op_id, args)

    def _with_proof(self, items: list[dict[str, Any]], key: str = "txId") -> list[dict[str, Any]]:
        for item in items:
            item["proof"] = self.proofs.proof(item.get(key, "")) if item.get(key) else None
        return items

    async def list_lots(
        self, org_key: str | None = None, *, status: str | None = None, custodian: str | None = None
    ) -> list[dict[str, Any]]:
        """One contract call: ListLots, ListLotsByStatus or ListLotsByCustodian (never one call per lot)."""
        if status and custodian:
            lots = await self._query(org_key, "lots_by_status", {"status": status})
            msp = self.orgs.org(custodian).msp_id
            return [lot for lot in lots or [] if lot.get("custodian") == msp]
        if status:
            return await self._query(org_key, "lots_by_status", {"status": status}) or []
        if custodian:
            return await self._query(org_key, "lots_by_custodian", {"mspId": self.orgs.org(custodian).msp_id}) or []
        return await self._query(org_key, "list_lots") or []

    async def dashboard(
        self,
        org_key: str | None,
        *,
        status: str | None = None,
        custodian: str | None = None,
        page: int = 1,
        page_size: int = DASHBOARD_PAGE_SIZE,
        use_index: bool = True,
    ) -> dict[str, Any]:
        """Everything the dashboard shows: counts, incoming handovers, lots held, one page of lots.

        From the lot index once the block follower has caught up (no contract call: flat in the number
        of lots), else from one ListLots call.
        """
        org = self.orgs.org(org_key)
        custodian_msp = self.orgs.org(custodian).msp_id if custodian else None
        page = max(page, 1)
        offset = (page - 1) * page_size
        index = self.lots
        if use_index and index is not None and index.ready:
            shown, matching = index.newest(page_size, offset, status=status, custodian=custodian_msp)
            total, counts = len(index), index.counts()
            incoming, held, source = index.incoming(org.msp_id), index.held_by(org.msp_id), "index"
        else:
            lots = await self.list_lots(org.key)
            selected = [lot for lot in lots if matches(lot, status, custodian_msp)]
            shown, matching = newest_first(selected, offset + page_size)[offset:], len(selected)
            total, counts = len(lots), status_counts(lots)
            handed_over = [lot for lot in lots if (lot.get("pendingTransfer") or {}).get("toMsp") == org.msp_id]
            incoming = newest_first(handed_over)
            held, source = sum(1 for lot in lots if lot.get("custodian") == org.msp_id), "contract"
        return {
            "lots": shown,
            "total": total,
            "counts": counts,
            "incoming": incoming,
            "held": held,
            "matching": matching,
            "page": page,
            "pages": max(1, -(-matching // page_size)),
            "pageSize": page_size,
            "offset": offset,
            "source": source,  # "index" (the block follower's read model) or "contract" (one ListLots)
        }

    async def lot_events(self, lot_id: str, org_key: str | None = None) -> list[dict[str, Any]]:
        events = await self._query(org_key, "lot_events", {"lotId": lot_id}) or []
        return self._with_proof(events)

    async def lot_view(self, lot_id: str, org_key: str | None = None) -> dict[str, Any]:
        """Lot, its events (each with its ledger proof) and its product (for the temperature band)."""
        lot, events = await asyncio.gather(
            self._query(org_key, "get_lot", {"lotId": lot_id}),
            self._query(org_key, "lot_events", {"lotId": lot_id}),
        )
        product = None
        try:
            product = await self._query(org_key, "get_product", {"productId": lot["productId"]})
        except ServiceError as err:
            if err.code != "NOT_FOUND":
                raise
        return {
            "lot": lot,
            "product": product,
            "events": self._with_proof(events or []),
            "createdProof": self.proofs.proof(lot.get("createdTxId", "")),
        }

    async def trace(self, lot_id: str, org_key: str | None = None) -> dict[str, Any]:
        """TraceLot plus who holds what: the retailers that hold a piece of the family are 'affected'."""
        trace = await self._query(org_key, "trace", {"lotId": lot_id})
        retailers = set(self.orgs.msps_with_role("retailer"))
        family = [*trace.get("ancestors", []), *trace.get("descendants", [])]
        affected = sorted({s["custodian"] for s in [trace["lot"], *trace.get("descendants", [])]} & retailers)
        trace["affectedRetailers"] = affected
        trace["family"] = family
        return trace

    async def authenticity(self, lot_id: str, location: str) -> dict[str, Any]:
        """A consumer scan, recorded by the retailer's app (the consumer has no identity of their own)."""
        org = self.orgs.consumer_org()
        outcome = await self.contracts.perform(org.key, "authenticity", {"lotId": lot_id, "location": location})
        result = outcome["result"]
        lot = result.get("lot") or {}
        result["createdProof"] = self.proofs.proof(lot.get("createdTxId", ""))
        result["scanProof"] = outcome["proof"]
        return result

    async def check_document(
        self, lot_id: str, cert_id: str, data: bytes, org_key: str | None = None
    ) -> dict[str, Any]:
        """Hash an uploaded document and compare it with the certificate anchored on the ledger."""
        digest = hashlib.sha256(data).hexdigest()
        outcome = await self.contracts.perform(
            org_key, "verify_certificate", {"lotId": lot_id, "certId": cert_id, "sha256Hex": digest}
        )
        result = outcome["result"]
        cert = result.get("certificate") or {}
        result["sha256"] = digest
        result["size"] = len(data)
        result["anchorProof"] = self.proofs.proof(cert.get("txId", ""))
        return result

    async def price_views(self, lot_id: str) -> list[dict[str, Any]]:
        """GetPrice as every org: the farm is refused by the contract, processor and retailer see it."""

        async def one(org: PeerOrg) -> dict[str, Any]:
            view: dict[str, Any] = {"org": org.key, "msp": org.msp_id, "name": org.name, "name_zh": org.name_zh}
            try:
                view["price"] = await self._query(org.key, "get_price", {"lotId": lot_id})
            except ServiceError as err:
                view["error"] = err.to_dict()["error"]
            return view

        return list(await asyncio.gather(*(one(org) for org in self.orgs.topology.peer_orgs)))

    async def verify_price(self, lot_id: str, disclosed: str, org_key: str | None = None) -> dict[str, Any]:
        return await self._query(org_key, "verify_price", {"lotId": lot_id, "disclosedJSON": disclosed})
