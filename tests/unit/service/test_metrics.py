# ruff: noqa: E501  (Prometheus lines are long; they are kept verbatim)
"""The metrics reader's arithmetic: Prometheus text in, rates per interval out (no network)."""

from __future__ import annotations

from fabdemo.service.metrics import NodeReading, Reading, compare, parse_prometheus, total

PEER_T0 = """# HELP ledger_transaction_count Number of transactions processed.
# TYPE ledger_transaction_count counter
ledger_transaction_count{chaincode="provenance:1.0",channel="provenance",transaction_type="ENDORSER_TRANSACTION",validation_code="VALID"} 100
ledger_transaction_count{chaincode="provenance:1.0",channel="provenance",transaction_type="ENDORSER_TRANSACTION",validation_code="MVCC_READ_CONFLICT"} 2
ledger_transaction_count{chaincode="unknown",channel="provenance",transaction_type="CONFIG",validation_code="VALID"} 1
ledger_blockchain_height{channel="provenance"} 40
ledger_block_processing_time_sum{channel="provenance"} 0.5
ledger_block_processing_time_count{channel="provenance"} 39
process_resident_memory_bytes 6.729728e+07
"""
PEER_T1 = (
    PEER_T0.replace('validation_code="VALID"} 100', 'validation_code="VALID"} 160')
    .replace('MVCC_READ_CONFLICT"} 2', 'MVCC_READ_CONFLICT"} 6')
    .replace('height{channel="provenance"} 40', 'height{channel="provenance"} 50')
    .replace('time_sum{channel="provenance"} 0.5', 'time_sum{channel="provenance"} 0.7')
    .replace('time_count{channel="provenance"} 39', 'time_count{channel="provenance"} 49')
)
ORDERER_T0 = 'blockcutter_block_fill_duration_sum{channel="provenance"} 3.0\nblockcutter_block_fill_duration_count{channel="provenance"} 30\n'
ORDERER_T1 = 'blockcutter_block_fill_duration_sum{channel="provenance"} 5.5\nblockcutter_block_fill_duration_count{channel="provenance"} 40\n'


def test_parse_prometheus_labels_values_and_comments() -> None:
    samples = parse_prometheus(PEER_T0)
    assert (
        total(samples, "ledger_transaction_count", validation_code="VALID", transaction_type="ENDORSER_TRANSACTION")
        == 100
    )
    assert total(samples, "ledger_transaction_count", channel="provenance") == 103
    assert total(samples, "process_resident_memory_bytes") == 67297280
    assert total(samples, "no_such_metric") is None
    assert "HELP" not in str(samples)


def _reading(at: float, peer: str, orderer: str, cpu: tuple[float, float], pid: int = 7) -> Reading:
    return Reading(
        at,
        at,
        (
            NodeReading("peer0", "peer", "FarmMSP", pid, cpu[0], 50 * 2**20, parse_prometheus(peer)),
            NodeReading("orderer1", "orderer", "OrdererMSP", 8, cpu[1], 30 * 2**20, parse_prometheus(orderer)),
            NodeReading("ccaas", "chaincode", "FarmMSP", None, None, None, None),
        ),
    )


def test_compare_turns_two_samples_into_rates() -> None:
    first = compare(None, _reading(100.0, PEER_T0, ORDERER_T0, (1.0, 1.0)), "provenance")
    assert first["tps"] is None and first["interval_s"] is None and first["height"] == 40
    point = compare(
        _reading(100.0, PEER_T0, ORDERER_T0, (1.0, 1.0)), _reading(102.0, PEER_T1, ORDERER_T1, (1.5, 1.1)), "provenance"
    )
    assert point["tps"] == 30.0  # 60 valid in 2 s
    assert point["invalid_tps"] == 2.0  # 4 conflicts in 2 s
    assert point["block_rate"] == 5.0
    assert point["commit_ms"] == 20.0  # 0.2 s over 10 blocks
    assert point["batch_fill_ms"] == 250.0  # 2.5 s over 10 batches
    nodes = {n["name"]: n for n in point["nodes"]}
    assert nodes["peer0"]["cpu_pct"] == 25.0 and nodes["peer0"]["rss_mb"] == 50.0
    assert nodes["orderer1"]["cpu_pct"] == 5.0
    assert nodes["ccaas"] == {"name": "ccaas", "kind": "chaincode", "up": False, "cpu_pct": None, "rss_mb": None}


def test_a_restarted_node_gives_no_rate_rather_than_a_negative_one() -> None:
    restarted = compare(
        _reading(100.0, PEER_T1, ORDERER_T1, (9.0, 1.0)),
        _reading(102.0, PEER_T0, ORDERER_T0, (0.1, 1.1), pid=99),
        "provenance",
    )
    assert restarted["tps"] is None and restarted["block_rate"] is None and restarted["batch_fill_ms"] is None
    assert {n["name"]: n["cpu_pct"] for n in restarted["nodes"]}["peer0"] is None
