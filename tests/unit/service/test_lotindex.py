"""The lot index: the dashboard's read model, projected from the write sets of the blocks the follower reads."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2

from fabdemo.service.blocks import BlockFollower
from fabdemo.service.lotindex import LOT_KEY_PREFIX, LotIndex
from fabdemo.service.readmodels import ReadModels
from fabric_gateway import ParsedBlock, ParsedTransaction

CC = "provenance"


def _lot(lot_id: str, status: str = "HARVESTED", custodian: str = "FarmMSP", updated: str = "2026-12-01T10:00:00Z",
         to: str | None = None) -> dict[str, Any]:  # fmt: skip
    pending = {"fromMsp": custodian, "toMsp": to} if to else None
    return {"lotId": lot_id, "status": status, "custodian": custodian, "updatedAt": updated, "pendingTransfer": pending}


def _tx(tx_id: str, writes: list[tuple[str, Any]], *, valid: bool = True, namespace: str = CC) -> ParsedTransaction:
    kv = kv_rwset_pb2.KVRWSet(
        writes=[
            kv_rwset_pb2.KVWrite(
                key=key, value=b"" if value is None else json.dumps(value).encode(), is_delete=value is None
            )
            for key, value in writes
        ]
    )
    rwset = rwset_pb2.TxReadWriteSet(
        ns_rwset=[rwset_pb2.NsReadWriteSet(namespace=namespace, rwset=kv.SerializeToString())]
    )
    return ParsedTransaction(
        index=0,
        transaction_id=tx_id,
        channel_id="provenance",
        type=3,
        validation_code=0 if valid else 11,
        chaincode_name=namespace,
        rwset=rwset.SerializeToString(),
    )


def _key(lot_id: str) -> str:
    return f"{LOT_KEY_PREFIX}{lot_id}\x00"


def _block(number: int, *txs: ParsedTransaction) -> ParsedBlock:
    return ParsedBlock(number=number, previous_hash=b"", data_hash=b"", transactions=list(txs), raw=None)


def test_the_index_follows_puts_handovers_and_deletes() -> None:
    index = LotIndex(lambda: CC)
    index.apply(_block(1, _tx("t1", [(_key("A"), _lot("A")), (_key("B"), _lot("B", updated="2026-12-01T11:00:00Z"))])))
    index.apply(
        _block(2, _tx("t2", [(_key("A"), _lot("A", "IN_TRANSIT", updated="2026-12-01T12:00:00Z", to="ProcessorMSP"))]))
    )
    assert index.counts() == {"HARVESTED": 1, "IN_TRANSIT": 1} and len(index) == 2
    assert [lot["lotId"] for lot in index.incoming("ProcessorMSP")] == ["A"] and index.held_by("FarmMSP") == 2
    lots, matching = index.newest(1)
    assert [lot["lotId"] for lot in lots] == ["A"] and matching == 2  # changed last first
    assert [lot["lotId"] for lot in index.newest(1, 1)[0]] == ["B"]  # the second page
    # The processor accepts: custody moves, the pending handover goes.
    index.apply(_block(3, _tx("t3", [(_key("A"), _lot("A", "RECEIVED", "ProcessorMSP", "2026-12-01T13:00:00Z"))])))
    assert index.incoming("ProcessorMSP") == [] and index.held_by("ProcessorMSP") == 1
    assert index.newest(10, status="RECEIVED", custodian="ProcessorMSP")[1] == 1
    index.apply(_block(4, _tx("t4", [(_key("B"), None)])))
    assert index.counts() == {"RECEIVED": 1} and len(index) == 1


def test_invalid_transactions_and_other_keys_change_nothing() -> None:
    index = LotIndex(lambda: CC)
    index.apply(_block(1, _tx("mvcc", [(_key("A"), _lot("A"))], valid=False)))
    index.apply(_block(2, _tx("other-cc", [(_key("A"), _lot("A"))], namespace="asset")))
    index.apply(_block(3, _tx("entry", [("\x00temp\x00A\x00t\x00x\x00000\x00", {"celsius": 4})])))
    assert len(index) == 0 and index.counts() == {}


async def _no_network():  # the follower is fed by hand here
    raise ConnectionError("not used")


def test_the_follower_feeds_the_index_and_a_rewind_clears_it() -> None:
    index = LotIndex(lambda: CC)
    follower = BlockFollower(_no_network, projections=[index])
    follower.target_height = 2  # as found on connecting: blocks 0 and 1
    follower.ingest(_block(0, _tx("t0", [(_key("A"), _lot("A"))])))
    assert not index.ready  # one block behind the chain it found: the dashboard still asks the contract
    follower.ingest(_block(1, _tx("t1", [(_key("B"), _lot("B"))])))
    assert index.ready and len(index) == 2 and follower.status()["caughtUp"]
    follower._forget()
    assert not index.ready and len(index) == 0


class _Orgs:
    def org(self, key: str | None) -> Any:
        msp = {"farm": "FarmMSP", "processor": "ProcessorMSP"}[key or "farm"]
        return type("Org", (), {"key": key or "farm", "msp_id": msp})()


class _Contracts:
    def __init__(self, lots: list[dict[str, Any]]) -> None:
        self.lots = lots
        self.calls = 0

    async def query(self, org_key: str | None, op_id: str, args: dict[str, Any] | None = None) -> Any:
        assert op_id == "list_lots"
        self.calls += 1
        return [dict(lot) for lot in self.lots]


def test_the_dashboard_reads_the_same_from_the_index_as_from_the_contract() -> None:
    lots = [
        _lot(
            f"L{i:03d}",
            ["HARVESTED", "IN_TRANSIT", "RECEIVED"][i % 3],
            ["FarmMSP", "ProcessorMSP"][i % 2],
            f"2026-12-01T10:{i // 60:02d}:{i % 60:02d}Z",
            "ProcessorMSP" if i % 3 == 1 else None,
        )
        for i in range(120)
    ]
    index = LotIndex(lambda: CC)
    index.apply(_block(0, _tx("seed", [(_key(lot["lotId"]), lot) for lot in lots])))
    index.ready = True
    contracts = _Contracts(lots)
    from_index = ReadModels(contracts, _Orgs(), None, index)  # type: ignore[arg-type]
    from_contract = ReadModels(contracts, _Orgs(), None, None)  # type: ignore[arg-type]
    for kwargs in ({}, {"page": 3}, {"status": "IN_TRANSIT"}, {"custodian": "processor", "page": 2}):
        a = asyncio.run(from_index.dashboard("processor", **kwargs))
        b = asyncio.run(from_contract.dashboard("processor", **kwargs))
        assert (a["source"], b["source"]) == ("index", "contract")
        for field in ("lots", "total", "counts", "incoming", "held", "matching", "pages"):
            assert a[field] == b[field], (kwargs, field)
    assert contracts.calls == 4  # only the contract-backed read model asked the contract
    first = asyncio.run(from_index.dashboard("farm"))
    assert first["lots"][0]["lotId"] == "L119" and len(first["lots"]) == 50 and first["pages"] == 3
