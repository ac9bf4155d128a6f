"""``make monitoring`` on the suite's real network: the scrape configuration, Prometheus scraping every
node as up, and the shipped Grafana dashboard's queries answered by that Prometheus."""

from __future__ import annotations

import json
import re
import shutil
import urllib.parse
import urllib.request

import pytest
import yaml

from fabdemo import monitoring
from fabdemo.network.manager import FabricNetwork
from fabdemo.network.nodes import NodeKind
from tests.conftest import E2E_PORT_OFFSET

pytestmark = pytest.mark.e2e


def test_scrape_configuration_names_every_orderer_and_peer(network: FabricNetwork) -> None:
    config_file = monitoring.write_config(network)
    config = yaml.safe_load(config_file.read_text())
    targets = {c["labels"]["node"]: (job, c) for job in config["scrape_configs"] for c in job["static_configs"]}
    wanted = {n.name for n in network.nodes.nodes() if n.kind in (NodeKind.ORDERER, NodeKind.PEER)}
    assert set(targets) == wanted
    for name, (job, static) in targets.items():
        spec = network.nodes.spec(name)
        assert static["targets"] == [spec.operations_address]
        assert job["scheme"] == "https" and job["tls_config"]["ca_file"] == str(spec.tls_ca)
        assert static["labels"]["kind"] in ("orderer", "peer") and static["labels"]["org"] == spec.msp_id
    if shutil.which("promtool"):
        assert monitoring.check_config(config_file) is None
        broken = config_file.with_name("broken.yml")
        broken.write_text(config_file.read_text().replace("scrape_interval: 5s", "scrape_interval: often"))
        assert monitoring.check_config(broken)  # promtool really checks


def _query(address: str, expr: str) -> dict:
    url = f"http://{address}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.load(resp)


@pytest.mark.skipif(not shutil.which("prometheus"), reason="Prometheus is not installed (apt-get install prometheus)")
def test_prometheus_scrapes_every_node_and_answers_the_dashboard(network: FabricNetwork) -> None:
    monitoring.write_config(network)
    started = monitoring.start(network, E2E_PORT_OFFSET)
    assert started is not None
    pid, address = started
    try:
        assert monitoring.start(network, E2E_PORT_OFFSET) == (pid, address)  # idempotent: one Prometheus

        def all_up() -> list[dict] | None:
            found = monitoring.targets(address)
            return found if found and all(t["health"] == "up" for t in found) else None

        found = monitoring.wait_until(all_up, 30, interval=0.5, what="every target up")
        assert len(found) == 6, found
        monitoring.wait_until(
            lambda: _query(address, "ledger_blockchain_height")["data"]["result"], 20, interval=0.5, what="a sample"
        )
        dashboard = json.loads(monitoring.DASHBOARD.read_text())
        exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
        assert len(exprs) >= 12
        for expr in exprs:
            concrete = expr.replace("$__rate_interval", "1m").replace("$channel", network.topology.channel_name)
            answer = _query(address, concrete)
            assert answer["status"] == "success", (expr, answer)
        heights = _query(address, f'ledger_blockchain_height{{kind="peer",channel="{network.topology.channel_name}"}}')
        assert {r["metric"]["node"] for r in heights["data"]["result"]} == {
            n.name for n in network.nodes.nodes() if n.kind == NodeKind.PEER
        }
        assert all(re.fullmatch(r"\$\{DS_PROMETHEUS\}", p["datasource"]["uid"]) for p in dashboard["panels"])
    finally:
        assert monitoring.stop(network)
    assert not monitoring.processes.running_record(monitoring.paths(network).pid_file)
    assert monitoring.stop(network) is False
