"""The service layer: every action of the UI, the REST API and the storyboards goes through :class:`LedgerService`.

One asyncio gateway per org, each signing with that org's own identity. ``perform(org, op, args)`` checks
the arguments against the catalogue, calls the contract and returns the parsed result together with the
ledger proof (tx id, block, endorsing orgs, validation code) taken from the block follower. The read
helpers below (lot view, trace, prices, ...) are compositions of ``perform`` calls, so there is one code
path per contract function.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections import Counter
from typing import Any

from fabdemo import context
from fabdemo.connections import connect_org_async
from fabdemo.network.manager import NetworkState
from fabdemo.network.topology import PeerOrg
from fabdemo.service.blocks import BlockFollower
from fabdemo.service.catalogue import (
    OPERATIONS,
    DefaultContext,
    Operation,
    defaults,
    get_operation,
    to_contract_arguments,
    validate_args,
)
from fabdemo.service.errors import ServiceError, from_gateway_error
from fabdemo.settings import Settings
from fabric_gateway import AsyncGateway, AsyncNetwork, EndorseError, GatewayError, MvccConflictError, SubmitError
from fabric_gateway.commit import AsyncSubmittedTransaction, check_status
from fabric_gateway.transaction import AsyncTransaction

log = logging.getLogger("fabdemo.service")

ORDERING_RETRY_SECONDS = 10.0  # an orderer failed: wait for the Raft cluster to elect a new leader
SUBMIT_ATTEMPTS = 4  # MVCC conflicts (two people acting on one lot at once) are retried
PROOF_WAIT = 3.0  # seconds to wait for the follower to read the block of a fresh transaction
STATUS_CACHE = 1.0


def _parse(payload: bytes) -> Any:
    if not payload:
        return None
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return payload.decode("utf-8", errors="replace")


def _only_remote_peers_failed(err: EndorseError, acting_msp: str) -> bool:
    """True when our own org's peer endorsed but another org's peer refused.

    Our peer has committed everything we were told about; another org's peer commits the same blocks a
    few milliseconds later. A refusal from it alone (say "held by FarmMSP" right after a handover we just
    confirmed) means it has not caught up yet: worth one more try. A refusal by our own peer is real.
    """
    return bool(err.details) and all(d.msp_id and d.msp_id != acting_msp for d in err.details)


async def _submit_until_ordered(transaction: AsyncTransaction) -> AsyncSubmittedTransaction:
    """Hand an endorsed transaction to the ordering service, retrying while no orderer can take it.

    Right after an orderer fails, the remaining ones refuse transactions until they elect a new Raft
    leader (about a second). Re-sending the same signed transaction is safe: it has the same id, so it
    can be ordered at most once; nothing the user was told had succeeded is lost or duplicated.
    """
    deadline = time.monotonic() + ORDERING_RETRY_SECONDS
    while True:
        try:
            return await transaction.submit()
        except SubmitError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.25)


class LedgerService:
    def __init__(self, settings: Settings, *, follow_blocks: bool = True) -> None:
        self.settings, self._base_topology, self.layout = context.load(settings)
        self.topology = self._base_topology
        self.refresh_topology()
        self._gateways: dict[str, AsyncGateway] = {}
        self._connect_lock = asyncio.Lock()
        self.follower = BlockFollower(self._follower_network)
        self._follow_blocks = follow_blocks
        self._fabric_network: Any = None
        self._status_cache: tuple[float, dict[str, Any]] | None = None

    # -- lifecycle -----------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._follow_blocks:
            self.follower.start()

    async def close(self) -> None:
        await self.follower.stop()
        gateways, self._gateways = self._gateways, {}
        for gateway in gateways.values():
            await gateway.close()

    async def __aenter__(self) -> LedgerService:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def ledger_rewound(self) -> None:
        """The network was reset to a snapshot: reconnect and re-read the chain from block 0."""
        self.refresh_topology()
        gateways, self._gateways = self._gateways, {}
        for gateway in gateways.values():
            await gateway.close()
        if self._follow_blocks:
            await self.follower.restart()

    # -- orgs ----------------------------------------------------------------------------------------
    def refresh_topology(self) -> None:
        """Include orgs that joined the channel later (``make add-org``), as recorded in network.json."""
        joined = NetworkState.load(self.layout.network_file).joined_orgs
        self.topology = self._base_topology.with_members(joined)

    def org(self, key_or_msp: str | None) -> PeerOrg:
        if not key_or_msp:
            return self.topology.peer_orgs[0]
        try:
            return self.topology.peer_org(key_or_msp)
        except KeyError:
            self.refresh_topology()  # an org may have joined since
        try:
            return self.topology.peer_org(key_or_msp)
        except KeyError:
            known = ", ".join(o.key for o in self.topology.peer_orgs)
            raise ServiceError(
                "UNKNOWN_ORG",
                f"unknown organisation {key_or_msp!r}; known: {known}",
                message_zh=f"未知组织：{key_or_msp}（可选：{known}）",
                field="org",
            ) from None

    def orgs(self) -> list[dict[str, Any]]:
        return [
            {"key": o.key, "msp": o.msp_id, "name": o.name, "name_zh": o.name_zh, "roles": list(o.roles)}
            for o in self.topology.peer_orgs
        ]

    def msp_by_role(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for org in self.topology.peer_orgs:
            for role in org.roles:
                found.setdefault(role, org.msp_id)
        return found

    def org_of_msp(self, msp: str | None) -> dict[str, Any] | None:
        for org in self.orgs():
            if org["msp"] == msp:
                return org
        return None

    def default_context(self, org_key: str | None, lot: dict[str, Any] | None = None) -> DefaultContext:
        org = self.org(org_key)
        return DefaultContext(org_name=org.name, msp_by_role=self.msp_by_role(), lot=lot)

    def catalogue(self) -> list[Operation]:
        return list(OPERATIONS)

    def defaults(self, op_id: str, org_key: str | None, lot: dict[str, Any] | None = None) -> dict[str, Any]:
        return defaults(get_operation(op_id), self.default_context(org_key, lot))

    # -- gateways ------------------------------------------------------------------------------------
    async def _gateway(self, org: PeerOrg) -> AsyncGateway:
        gateway = self._gateways.get(org.key)
        if gateway is not None:
            return gateway
        async with self._connect_lock:
            if org.key not in self._gateways:
                if not self.layout.user_msp(org).is_dir():
                    raise ServiceError(
                        "NETWORK_UNAVAILABLE",
                        f"no crypto material for {org.msp_id} under {self.layout.root}: start the network (`make up`)",
                        message_zh="网络不可用：尚未生成组织证书，请先启动网络（make up）",
                        source="network",
                    )
                self._gateways[org.key] = await connect_org_async(self.topology, self.layout, org)
            return self._gateways[org.key]

    async def _network(self, org: PeerOrg) -> AsyncNetwork:
        return (await self._gateway(org)).get_network(self.topology.channel_name)

    async def _follower_network(self) -> AsyncNetwork:
        return await self._network(self.topology.peer_orgs[0])

    # -- the one entry point -------------------------------------------------------------------------
    async def perform(
        self,
        org_key: str | None,
        op_id: str,
        args: dict[str, Any] | None = None,
        *,
        endorsing_orgs: list[str] | None = None,
    ) -> dict[str, Any]:
        """Validate, call the contract as ``org_key`` and return ``{result, proof, ...}``.

        ``endorsing_orgs`` (org keys or MSP ids) overrides who endorses a submit; the storyboards use it
        to show a transaction that the endorsement policy refuses.
        """
        op = get_operation(op_id)
        org = self.org(org_key)
        clean = validate_args(op, args)
        arguments, transient = to_contract_arguments(op, clean)
        network = await self._network(org)
        contract = network.get_contract(self.topology.chaincode.name)
        proof = None
        started = time.perf_counter()
        try:
            if op.submit:
                endorsers = [self.org(o).msp_id for o in endorsing_orgs] if endorsing_orgs else self._endorsers(op)
                for attempt in range(1, SUBMIT_ATTEMPTS + 1):
                    try:
                        proposal = contract.new_proposal(
                            op.function,
                            arguments=arguments,
                            transient_data=transient,
                            endorsing_organizations=endorsers,
                        )
                        submitted = await _submit_until_ordered(await proposal.endorse())
                        status = check_status(await submitted.get_status())
                        break
                    except MvccConflictError:
                        if attempt == SUBMIT_ATTEMPTS:
                            raise
                        await asyncio.sleep(0.05 * attempt)
                    except EndorseError as err:
                        if attempt == SUBMIT_ATTEMPTS or not _only_remote_peers_failed(err, org.msp_id):
                            raise
                        await asyncio.sleep(0.15 * attempt)
                result = _parse(submitted.result)
                proof = (
                    await self.follower.wait_for(submitted.transaction_id, PROOF_WAIT) if self._follow_blocks else None
                )
                if proof is None:
                    proof = {
                        "txId": submitted.transaction_id,
                        "blockNumber": status.block_number,
                        "validation": status.code_name,
                        "valid": True,
                        "endorsers": None,
                        "creator": org.msp_id,
                        "function": op.function,
                    }
            else:
                result = _parse(await contract.evaluate(op.function, arguments=arguments, transient_data=transient))
        except GatewayError as err:
            raise from_gateway_error(err) from err
        public_args = {p.name: clean[p.name] for p in op.params if not p.transient}
        return {
            "operation": op.id,
            "function": op.function,
            "kind": op.kind,
            "org": org.key,
            "msp": org.msp_id,
            "args": public_args,
            "result": result,
            "proof": proof,
            "elapsedMs": round((time.perf_counter() - started) * 1000, 1),
        }

    async def call(
        self, org_key: str | None, function: str, arguments: list[Any], *, submit: bool = False
    ) -> dict[str, Any]:
        """Call any contract function by name, as a developer would with the client (no catalogue).

        Used by the developers' storyboard for functions the UI does not know, such as the metadata
        query or a function added by a live upgrade.
        """
        org = self.org(org_key)
        contract = (await self._network(org)).get_contract(self.topology.chaincode.name)
        texts = [a if isinstance(a, str) else json.dumps(a) for a in arguments]
        started = time.perf_counter()
        proof = None
        try:
            if submit:
                submitted = await contract.submit_async(function, arguments=texts)
                status = check_status(await submitted.get_status())
                result = _parse(submitted.result)
                proof = await self.follower.wait_for(submitted.transaction_id, PROOF_WAIT) or {
                    "txId": submitted.transaction_id,
                    "blockNumber": status.block_number,
                }
            else:
                result = _parse(await contract.evaluate(function, arguments=texts))
        except GatewayError as err:
            raise from_gateway_error(err) from err
        return {
            "function": function,
            "org": org.key,
            "args": {"arguments": texts},
            "result": result,
            "proof": proof,
            "elapsedMs": round((time.perf_counter() - started) * 1000, 1),
        }

    def _endorsers(self, op: Operation) -> list[str] | None:
        if not op.endorse_roles:
            return None
        msps: list[str] = []
        for role in op.endorse_roles:
            for org in self.topology.orgs_with_role(role):
                if org.msp_id not in msps:
                    msps.append(org.msp_id)
        return msps

    async def query(self, org_key: str | None, op_id: str, args: dict[str, Any] | None = None) -> Any:
        return (await self.perform(org_key, op_id, args))["result"]

    # -- read models for the pages and the API ---------------------------------------------------------
    async def list_lots(
        self, org_key: str | None = None, *, status: str | None = None, custodian: str | None = None
    ) -> list[dict[str, Any]]:
        """One contract call: ListLots, ListLotsByStatus or ListLotsByCustodian (never one call per lot)."""
        if status and custodian:
            lots = await self.query(org_key, "lots_by_status", {"status": status})
            msp = self.org(custodian).msp_id
            return [lot for lot in lots or [] if lot.get("custodian") == msp]
        if status:
            return await self.query(org_key, "lots_by_status", {"status": status}) or []
        if custodian:
            return await self.query(org_key, "lots_by_custodian", {"mspId": self.org(custodian).msp_id}) or []
        return await self.query(org_key, "list_lots") or []

    async def dashboard(
        self, org_key: str | None, *, status: str | None = None, custodian: str | None = None
    ) -> dict[str, Any]:
        """Everything the dashboard shows, from a single ListLots call."""
        org = self.org(org_key)
        lots = await self.list_lots(org.key)
        counts = self.status_counts(lots)
        incoming = [lot for lot in lots if (lot.get("pendingTransfer") or {}).get("toMsp") == org.msp_id]
        held = sum(1 for lot in lots if lot.get("custodian") == org.msp_id)
        shown = lots
        if status:
            shown = [lot for lot in shown if lot.get("status") == status]
        if custodian:
            msp = self.org(custodian).msp_id
            shown = [lot for lot in shown if lot.get("custodian") == msp]
        shown = sorted(shown, key=lambda lot: lot.get("updatedAt", ""), reverse=True)
        return {"lots": shown, "total": len(lots), "counts": counts, "incoming": incoming, "held": held}

    @staticmethod
    def status_counts(lots: list[dict[str, Any]]) -> dict[str, int]:
        return dict(Counter(lot.get("status", "") for lot in lots))

    def with_proof(self, items: list[dict[str, Any]], key: str = "txId") -> list[dict[str, Any]]:
        for item in items:
            item["proof"] = self.follower.proof(item.get(key, "")) if item.get(key) else None
        return items

    async def lot_events(self, lot_id: str, org_key: str | None = None) -> list[dict[str, Any]]:
        events = await self.query(org_key, "lot_events", {"lotId": lot_id}) or []
        return self.with_proof(events)

    async def lot_view(self, lot_id: str, org_key: str | None = None) -> dict[str, Any]:
        """Lot, its events (each with its ledger proof) and its product (for the temperature band)."""
        lot, events = await asyncio.gather(
            self.query(org_key, "get_lot", {"lotId": lot_id}),
            self.query(org_key, "lot_events", {"lotId": lot_id}),
        )
        product = None
        try:
            product = await self.query(org_key, "get_product", {"productId": lot["productId"]})
        except ServiceError as err:
            if err.code != "NOT_FOUND":
                raise
        return {
            "lot": lot,
            "product": product,
            "events": self.with_proof(events or []),
            "createdProof": self.follower.proof(lot.get("createdTxId", "")),
        }

    async def trace(self, lot_id: str, org_key: str | None = None) -> dict[str, Any]:
        """TraceLot plus who holds what: the retailers that hold a piece of the family are 'affected'."""
        trace = await self.query(org_key, "trace", {"lotId": lot_id})
        retailers = {o.msp_id for o in self.topology.orgs_with_role("retailer")}
        family = [*trace.get("ancestors", []), *trace.get("descendants", [])]
        affected = sorted({s["custodian"] for s in [trace["lot"], *trace.get("descendants", [])]} & retailers)
        trace["affectedRetailers"] = affected
        trace["family"] = family
        return trace

    async def authenticity(self, lot_id: str, location: str) -> dict[str, Any]:
        """A consumer scan, recorded by the retailer's app (the consumer has no identity of their own)."""
        org = self.consumer_org()
        outcome = await self.perform(org.key, "authenticity", {"lotId": lot_id, "location": location})
        result = outcome["result"]
        lot = result.get("lot") or {}
        result["createdProof"] = self.follower.proof(lot.get("createdTxId", ""))
        result["scanProof"] = outcome["proof"]
        return result

    def consumer_org(self) -> PeerOrg:
        retailers = self.topology.orgs_with_role("retailer")
        return retailers[0] if retailers else self.topology.peer_orgs[0]

    async def check_document(
        self, lot_id: str, cert_id: str, data: bytes, org_key: str | None = None
    ) -> dict[str, Any]:
        """Hash an uploaded document and compare it with the certificate anchored on the ledger."""
        digest = hashlib.sha256(data).hexdigest()
        outcome = await self.perform(
            org_key, "verify_certificate", {"lotId": lot_id, "certId": cert_id, "sha256Hex": digest}
        )
        result = outcome["result"]
        cert = result.get("certificate") or {}
        result["sha256"] = digest
        result["size"] = len(data)
        result["anchorProof"] = self.follower.proof(cert.get("txId", ""))
        return result

    async def price_views(self, lot_id: str) -> list[dict[str, Any]]:
        """GetPrice as every org: the farm is refused by the contract, processor and retailer see it."""

        async def one(org: PeerOrg) -> dict[str, Any]:
            view: dict[str, Any] = {"org": org.key, "msp": org.msp_id, "name": org.name, "name_zh": org.name_zh}
            try:
                view["price"] = await self.query(org.key, "get_price", {"lotId": lot_id})
            except ServiceError as err:
                view["error"] = err.to_dict()["error"]
            return view

        return list(await asyncio.gather(*(one(org) for org in self.topology.peer_orgs)))

    async def verify_price(self, lot_id: str, disclosed: str, org_key: str | None = None) -> dict[str, Any]:
        return await self.query(org_key, "verify_price", {"lotId": lot_id, "disclosedJSON": disclosed})

    # -- network -------------------------------------------------------------------------------------
    async def network_status(self) -> dict[str, Any]:
        """Nodes (health, pids, heights, Raft leader), orgs and roles, and the block follower."""
        now = time.monotonic()
        if self._status_cache and now - self._status_cache[0] < STATUS_CACHE:
            return self._status_cache[1]
        nodes: list[dict[str, Any]] = []
        error = None
        try:
            nodes = await asyncio.to_thread(self._node_status)
        except Exception as err:  # status is best effort: the page still shows the topology
            error = str(err)
        topo = self.topology
        data = {
            "channel": topo.channel_name,
            "chaincode": topo.chaincode.name,
            "ordererOrg": {
                "key": topo.orderer_org.key,
                "msp": topo.orderer_org.msp_id,
                "name": topo.orderer_org.name,
                "name_zh": topo.orderer_org.name_zh,
            },
            "orgs": self.orgs(),
            "nodes": nodes,
            "follower": self.follower.status(),
            "error": error,
        }
        self._status_cache = (now, data)
        return data

    def _node_status(self) -> list[dict[str, Any]]:
        from dataclasses import asdict

        if self._fabric_network is None:
            self._fabric_network = context.open_network(self.settings)
        return [asdict(s) for s in self._fabric_network.status()]

    def recent_blocks(self, limit: int = 50) -> list[dict[str, Any]]:
        return self.follower.recent_blocks(limit)
