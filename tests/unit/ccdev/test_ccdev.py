"""Own chaincodes without a network: the topology's chaincode list, the scaffold, metadata parsing,
argument conversion and the generated Python client."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fabdemo.ccdev import clientgen, scaffold
from fabdemo.network.topology import load_topology
from fabdemo.service import ccmetadata
from fabdemo.service.anycontract import AnyContractService
from fabdemo.service.errors import ServiceError
from fabdemo.settings import REPO_ROOT

TOPOLOGY = REPO_ROOT / "network" / "topology.yaml"


@pytest.fixture
def topology_copy(tmp_path: Path) -> Path:
    path = tmp_path / "topology.yaml"
    path.write_text(TOPOLOGY.read_text())
    return path


def test_the_provenance_contract_comes_first_and_the_old_single_form_still_loads(tmp_path: Path) -> None:
    topology = load_topology(TOPOLOGY)
    assert topology.chaincode.name == "provenance" and topology.chaincodes[0] is topology.chaincode
    old = TOPOLOGY.read_text()
    start = old.index("chaincodes:")
    end = old.index("\n# Organisations that can join")
    single = (
        'chaincode:\n  name: provenance\n  source: chaincode\n  endorsement_policy: ""\n  collections:\n'
        "    - {name: processorRetailerPrices, member_roles: [processor, retailer], required_peer_count: 0,"
        " max_peer_count: 1, block_to_live: 0}\n"
    )
    path = tmp_path / "old.yaml"
    path.write_text(old[:start] + single + old[end:])
    loaded = load_topology(path)
    assert [c.name for c in loaded.chaincodes] == ["provenance"]
    assert loaded.chaincode.collections[0].name == "processorRetailerPrices"
    assert loaded.chaincode.language == "go"


def test_scaffold_lists_each_language_with_its_own_ports(topology_copy: Path, tmp_path: Path) -> None:
    for language in ("go", "typescript", "java"):
        result = scaffold.scaffold(f"asset-{language}", language, tmp_path / language, topology_copy, REPO_ROOT)
        assert result.topology_entry_added and result.files
        assert "__NAME__" not in "".join(p.read_text() for p in result.files)
    topology = load_topology(topology_copy, port_offset=100)
    names = [c.name for c in topology.chaincodes]
    assert names == ["provenance", "asset-go", "asset-typescript", "asset-java"]
    farm = topology.peer_org("farm")
    assert [c.server_port(farm) for c in topology.chaincodes] == [7158, 7258, 7358, 7458]
    assert topology.chaincode_named("asset-java").language == "java"
    # The file keeps its comments.
    assert "# Organisations that can join" in topology_copy.read_text()


def test_scaffold_refuses_bad_input_and_writes_nothing(topology_copy: Path, tmp_path: Path) -> None:
    before = topology_copy.read_text()
    for name, language, error in (
        ("Asset", "go", "not valid"),
        ("asset", "cobol", "not one of"),
        ("provenance", "go", "already lists"),
    ):
        with pytest.raises(scaffold.ScaffoldError, match=error):
            scaffold.scaffold(name, language, tmp_path / name, topology_copy, REPO_ROOT)
        assert not (tmp_path / name).exists()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("mine")
    with pytest.raises(scaffold.ScaffoldError, match="not empty"):
        scaffold.scaffold("asset", "go", tmp_path / "full", topology_copy, REPO_ROOT)
    assert topology_copy.read_text() == before


GO_METADATA = {
    "info": {"title": "asset", "version": "0.1.0"},
    "contracts": {
        "AssetContract": {
            "name": "AssetContract",
            "default": True,
            "transactions": [
                {"name": "ReadAsset", "tag": ["evaluate", "EVALUATE"], "parameters": [
                    {"name": "param0", "schema": {"type": "string"}}],
                 "returns": {"$ref": "#/components/schemas/Asset"}},
                {"name": "CreateAsset", "tag": ["submit", "SUBMIT"], "parameters": [
                    {"name": "param0", "schema": {"type": "string"}},
                    {"name": "param1", "schema": {"type": "integer"}}]},
            ],
        },
        "org.hyperledger.fabric": {"name": "org.hyperledger.fabric", "transactions": [{"name": "GetMetadata"}]},
    },
    "components": {"schemas": {"Asset": {"type": "object"}}},
}  # fmt: skip


def test_metadata_of_each_contract_api_parses_to_one_model() -> None:
    go = ccmetadata.parse("asset", json.dumps(GO_METADATA))
    assert go.contract == "AssetContract" and [t.name for t in go.transactions] == ["CreateAsset", "ReadAsset"]
    assert go.transaction("ReadAsset").submit is False and go.transaction("CreateAsset").submit is True
    assert go.transaction("CreateAsset").params[1].type == "integer"
    node = {
        "contracts": {
            "asset": {
                "name": "asset",
                "transactions": [
                    {
                        "name": "ReadAsset",
                        "tag": ["EVALUATE"],
                        "parameters": [{"name": "id", "schema": {"type": "string"}}],
                    },
                    {"name": "CreateAsset", "tag": ["SUBMIT", "submitTx"], "parameters": []},
                ],
            }
        }
    }
    parsed = ccmetadata.parse("asset", node)
    assert parsed.transaction("ReadAsset").kind == "evaluate" and parsed.transaction("CreateAsset").kind == "submit"
    java = {"contracts": {"asset": {"transactions": [{"name": "ListAssets", "tags": ["EVALUATE"]}]}}}
    assert ccmetadata.parse("asset", java).transaction("ListAssets").submit is False
    with pytest.raises(ValueError):
        ccmetadata.parse("empty", {"contracts": {"org.hyperledger.fabric": {}}})


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        ("string", "a b", "a b"),
        ("integer", 7, "7"),
        ("integer", "7", "7"),
        ("integer", 7.0, "7"),
        ("number", 2.5, "2.5"),
        ("number", "3", "3"),
        ("boolean", True, "true"),
        ("boolean", "false", "false"),
        ("object", {"a": 1}, '{"a": 1}'),
        ("array", [1, 2], "[1, 2]"),
    ],
)
def test_arguments_become_the_texts_the_contract_apis_parse(kind: str, value: object, text: str) -> None:
    assert ccmetadata.to_argument(ccmetadata.TxParam("p", {"type": kind}), value) == text


@pytest.mark.parametrize(
    ("kind", "value"),
    [("string", 5), ("integer", "7.5"), ("integer", True), ("number", "NaN"), ("boolean", "yes"), ("object", "{")],
)
def test_wrong_argument_types_are_refused(kind: str, value: object) -> None:
    with pytest.raises(ValueError):
        ccmetadata.to_argument(ccmetadata.TxParam("p", {"type": kind}), value)


def test_the_service_names_the_bad_argument_in_both_languages() -> None:
    metadata = ccmetadata.parse("asset", GO_METADATA)
    service = AnyContractService.__new__(AnyContractService)
    assert service.arguments(metadata, "CreateAsset", {"param0": "A", "param1": 3}) == ["A", "3"]
    for args, field in (({"param0": "A"}, "param1"), ({"param0": "A", "param1": "x"}, "param1"),
                        ({"param0": "A", "param1": 1, "extra": 1}, "extra")):  # fmt: skip
        with pytest.raises(ServiceError) as err:
            service.arguments(metadata, "CreateAsset", args)
        assert err.value.field == field and err.value.http_status == 422 and err.value.message_zh
    with pytest.raises(ServiceError) as unknown:
        service.arguments(metadata, "Nope", {})
    assert unknown.value.http_status == 404


def test_the_generated_client_is_valid_python_with_typed_methods() -> None:
    source = clientgen.render(ccmetadata.parse("my-asset", GO_METADATA))
    compile(source, "client.py", "exec")
    assert "class MyAssetClient:" in source
    assert "def CreateAsset(self, param0: str, param1: int) -> Any:" in source
    assert "self.contract.submit_transaction('AssetContract:CreateAsset', _arg(param0), _arg(param1))" in source
    assert "self.contract.evaluate_transaction('AssetContract:ReadAsset'" in source


def test_watch_reloads_after_a_save_and_reports_a_build_error(tmp_path: Path, monkeypatch) -> None:
    """The polling loop (the reload itself runs on the real network in tests/e2e/test_own_chaincode.py)."""
    from types import SimpleNamespace

    from fabdemo.ccdev import watch
    from fabdemo.network import ccbuild, ccdeploy

    project = tmp_path / "asset"
    (project / "node_modules").mkdir(parents=True)
    source = project / "contract.go"
    source.write_text("v1")
    calls: list[str] = []
    results: list[object] = []

    class Deployer:
        ctx = SimpleNamespace()

        def spec(self, name: str) -> object:
            return SimpleNamespace(name=name, language="go", source=str(project))

        def reload(self, name: str, progress) -> object:
            calls.append(source.read_text())
            if "broken" in source.read_text():
                raise ccbuild.ChaincodeBuildError(name, "go", "contract.go:1: syntax error")
            return SimpleNamespace(name=name)

    monkeypatch.setattr(ccdeploy, "REPO_ROOT", tmp_path)
    lines: list[str] = []
    steps = iter(["v2", "node_modules", "broken", "stop"])

    def should_stop() -> bool:
        step = next(steps)
        if step == "node_modules":
            (project / "node_modules" / "x.js").write_text("ignored")  # build outputs do not trigger
        elif step != "stop":
            source.write_text(step)
            # mtimes can be equal within a coarse clock tick: make each save visible
            os.utime(source, ns=(source.stat().st_mtime_ns + 10_000_000,) * 2)
        return step == "stop"

    watch.watch(Deployer(), "asset", lines.append, interval=0, should_stop=should_stop, on_reload=results.append)
    assert calls == ["v2", "broken"]
    assert results[1] is None and any("Not reloaded" in line and "syntax error" in line for line in lines)
