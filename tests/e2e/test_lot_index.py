"""The dashboard's lot index on a real network: what it projects from the blocks' write sets is what the
contract answers (counts, incoming handovers, lots held, the order of the first page), after harvests, a
handover, a receipt, a split and a quarantine; and a lot committed through the service is on the
dashboard the moment ``perform`` returns."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from fabdemo.network.manager import FabricNetwork
from fabdemo.service.errors import ServiceError
from fabdemo.service.ledger import LedgerService
from fabdemo.service.readmodels import ReadModels
from fabdemo.waiting import wait_until_async

pytestmark = pytest.mark.e2e

PRODUCT = "PRD-INDEX"


async def _scenario(net: FabricNetwork) -> None:
    async with LedgerService(net) as svc:

        async def caught_up() -> bool:
            return svc.follower.caught_up

        await wait_until_async(caught_up, 30.0, what="the block follower to read the chain")
        try:
            await svc.perform("farm", "define_product", {"productId": PRODUCT, "name": "Index lettuce"})
        except ServiceError as err:
            assert err.code == "ALREADY_EXISTS"
        run = uuid.uuid4().hex[:6].upper()
        lots = [f"LOT-IX-{run}-{i}" for i in range(4)]
        for lot in lots:
            args = {"lotId": lot, "productId": PRODUCT, "quantity": 100, "unit": "kg", "harvestDate": "2026-06-01"}
            await svc.perform("farm", "harvest", {**svc.defaults("harvest", "farm"), **args})
        # Read your writes: the lot just committed heads the first page, from the index, at once.
        first = await svc.reads.dashboard("farm")
        assert first["source"] == "index" and first["lots"][0]["lotId"] == lots[-1]

        await svc.perform("farm", "propose_transfer", {"lotId": lots[0], "toMsp": "ProcessorMSP"})
        await svc.perform("farm", "propose_transfer", {"lotId": lots[1], "toMsp": "ProcessorMSP"})
        await svc.perform("processor", "accept_transfer", {"lotId": lots[1]})
        await svc.perform(
            "processor", "split", {"parentId": lots[1], "childrenJSON": f"{lots[1]}-P1:40, {lots[1]}-P2:60"}
        )
        await svc.perform("farm", "temperature", {"lotId": lots[2], "celsius": 30, "location": "cold room"})

        from_contract = ReadModels(svc.contracts, svc.directory, svc.follower, None)
        for org in ("farm", "processor"):
            for kwargs in ({}, {"status": "QUARANTINED"}, {"custodian": "processor"}):
                a = await svc.reads.dashboard(org, **kwargs)
                b = await from_contract.dashboard(org, **kwargs)
                assert (a["source"], b["source"]) == ("index", "contract")
                for field in ("total", "counts", "held", "matching"):
                    assert a[field] == b[field], (org, kwargs, field)
                assert [lot["lotId"] for lot in a["incoming"]] == [lot["lotId"] for lot in b["incoming"]]
                assert [lot["lotId"] for lot in a["lots"]] == [lot["lotId"] for lot in b["lots"]], (org, kwargs)
                assert a["lots"] == b["lots"]  # the same records, field for field
        processor = await svc.reads.dashboard("processor")
        assert lots[0] in [lot["lotId"] for lot in processor["incoming"]]
        assert {f"{lots[1]}-P1", f"{lots[1]}-P2"} <= {lot["lotId"] for lot in processor["lots"]}


def test_the_lot_index_agrees_with_the_contract(network: FabricNetwork) -> None:
    asyncio.run(_scenario(network))
