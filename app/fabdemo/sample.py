"""The sample transaction that ``make demo`` runs: harvest one lot as the farm, read it as the retailer."""

from __future__ import annotations

import datetime as dt
import json

from fabdemo.connections import connect_org
from fabdemo.network.manager import FabricNetwork

SAMPLE_PRODUCT = ("PRD-LETTUCE", "Butterhead lettuce", "1", "4")


def run_sample_transaction(network: FabricNetwork) -> tuple[str, int, str]:
    """Return (tx id, block number, lot id) of a freshly harvested lot."""
    topology, layout = network.topology, network.layout
    farm = topology.orgs_with_role("grower")[0]
    retail = topology.orgs_with_role("retailer")[0]
    cc_name = topology.chaincode.name
    with connect_org(topology, layout, farm) as gateway:
        contract = gateway.get_network(topology.channel_name).get_contract(cc_name)
        products = json.loads(contract.evaluate_transaction("ListProducts") or b"[]")
        if not any(p.get("productId") == SAMPLE_PRODUCT[0] for p in products):
            contract.submit_transaction("DefineProduct", *SAMPLE_PRODUCT)
        now = dt.datetime.now(dt.UTC)
        lot_id = f"LOT-SAMPLE-{now:%Y%m%d%H%M%S}"
        proposal = contract.new_proposal(
            "HarvestLot",
            arguments=[
                lot_id,
                SAMPLE_PRODUCT[0],
                "Butterhead",
                "120",
                "kg",
                farm.name,
                "Valley Road 1",
                "Plot 7",
                f"{now:%Y-%m-%d}",
            ],
        )
        submitted = proposal.endorse().submit()
        status = submitted.get_status()
    with connect_org(topology, layout, retail) as gateway:
        contract = gateway.get_network(topology.channel_name).get_contract(cc_name)
        json.loads(contract.evaluate_transaction("GetLot", lot_id))
    return submitted.transaction_id, status.block_number, lot_id
