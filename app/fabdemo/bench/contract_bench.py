"""Contract figures: how fast a trace answers for a lot with many descendants."""

from __future__ import annotations

import json
import time
import uuid

from fabdemo.bench import workload
from fabdemo.bench.stats import summary_ms
from fabdemo.connections import connect_org
from fabdemo.network.manager import FabricNetwork


def trace_with_descendants(network: FabricNetwork, children: int, samples: int = 20) -> dict:
    """Harvest a lot, hand it to the processor, split it into ``children`` packages, then time TraceLot."""
    topology, layout = network.topology, network.layout
    farm = topology.orgs_with_role("grower")[0]
    processor = topology.orgs_with_role("processor")[0]
    lot_id = f"TRACE-{uuid.uuid4().hex[:8]}"
    with connect_org(topology, layout, farm) as farm_gw, connect_org(topology, layout, processor) as proc_gw:
        farm_cc = farm_gw.get_network(topology.channel_name).get_contract(topology.chaincode.name)
        proc_cc = proc_gw.get_network(topology.channel_name).get_contract(topology.chaincode.name)
        workload.ensure_product(farm_cc)
        farm_cc.submit_transaction("HarvestLot", *workload.harvest_args(lot_id))
        farm_cc.submit_transaction("ProposeTransfer", lot_id, processor.msp_id, "Bench Haulage", "TRK-1", "Farm->Plant")
        proc_cc.submit_transaction("AcceptTransfer", lot_id)
        proc_cc.submit_transaction("ProcessLot", lot_id, "PACKING", "bench")
        parts = [{"lotId": f"{lot_id}-P{i:02d}", "quantity": 0.1} for i in range(children)]
        proc_cc.submit_transaction("SplitLot", lot_id, json.dumps(parts))
        timings = []
        trace = {}
        for _ in range(samples):
            started = time.perf_counter()
            trace = json.loads(farm_cc.evaluate_transaction("TraceLot", lot_id))
            timings.append(time.perf_counter() - started)
    return {"descendants": len(trace.get("descendants", [])), **summary_ms(timings)}
