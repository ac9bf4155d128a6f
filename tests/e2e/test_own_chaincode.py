"""Bring your own chaincode, per language, on a real network of its own.

For Go, TypeScript and Java: ``fabdemo cc-new`` scaffolds an asset contract into a temporary folder and
lists it in a copy of the topology; its own unit tests pass with that language's tool; ``fabdemo
deploy-cc`` deploys it beside the provenance contract; it is driven through the Gateway as two orgs;
a one-line change is hot-reloaded under the same definition; and a change that does not compile is
refused by both the reload and ``deploy-cc`` while the running servers and the definition stay as they
were. All three run in CI: Java's Maven build is the slowest (~20 s a build with ~/.m2 warm; the first
run on a fresh machine downloads the shim's dependencies into ~/.m2, outside the work tree).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fabdemo import context
from fabdemo.connections import connect_org
from fabdemo.network import ccbuild
from fabdemo.network.manager import FabricNetwork
from fabdemo.settings import REPO_ROOT, Settings
from fabric_gateway import EndorseError, EvaluateError

pytestmark = pytest.mark.e2e

PORT_OFFSET = 13100
STATE = Path(__file__).resolve().parents[1] / "artifacts" / "own-chaincode-state"
LANGUAGES = ("go", "typescript", "java")
# Where each template says "does not exist" (the one-line change) and what breaks its compilation.
CONTRACT_FILE = {
    "go": "contract.go",
    "typescript": "src/assetContract.ts",
    "java": "src/main/java/kit/AssetContract.java",
}
UNIT_TESTS = {
    "go": ["go", "test", "./..."],
    "typescript": ["npm", "test"],
    "java": ["mvn", "-B", "-q", "test"],
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("own-cc")
    (folder / "topology.yaml").write_text((REPO_ROOT / "network" / "topology.yaml").read_text())
    return folder


@pytest.fixture(scope="module")
def cli_env(workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "FABDEMO_STATE_DIR": str(STATE),
        "FABDEMO_PORT_OFFSET": str(PORT_OFFSET),
        "FABDEMO_TOPOLOGY_FILE": str(workdir / "topology.yaml"),
        "RUNTIME": "native",
    }


def _cli(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fabdemo.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def scaffolded(workdir: Path, cli_env: dict[str, str]) -> dict[str, Path]:
    """Every language's project, scaffolded before the network loads the topology that lists them."""
    projects = {}
    for language in LANGUAGES:
        target = workdir / f"asset-{language}"
        done = _cli(cli_env, "cc-new", f"asset-{language}", "--lang", language, "--dir", str(target))
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Listed in" in done.stdout
        projects[language] = target
    return projects


def _network(workdir: Path) -> FabricNetwork:
    settings = Settings(
        state_dir=STATE, port_offset=PORT_OFFSET, topology_file=workdir / "topology.yaml", runtime="native"
    )
    return context.open_network(settings, progress=lambda _m: None)


@pytest.fixture(scope="module")
def own_network(workdir: Path, scaffolded: dict[str, Path]) -> Iterator[FabricNetwork]:
    net = _network(workdir)
    net.down(lambda _m: None)
    net.up(print)
    yield net
    net.down(print)


def test_scaffold_refuses_a_bad_name_or_a_taken_one(cli_env: dict[str, str], scaffolded, workdir: Path) -> None:
    before = (workdir / "topology.yaml").read_text()
    bad = _cli(cli_env, "cc-new", "Bad Name!", "--lang", "go", "--dir", str(workdir / "bad"))
    assert bad.returncode == 1 and "not valid" in bad.stderr
    taken = _cli(cli_env, "cc-new", "asset-go", "--lang", "go", "--dir", str(workdir / "again"))
    assert taken.returncode == 1 and "already lists" in taken.stderr
    assert (workdir / "topology.yaml").read_text() == before
    assert not (workdir / "bad").exists() and not (workdir / "again").exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_scaffold_deploy_drive_reload_and_refuse_a_compile_error(
    language: str, own_network: FabricNetwork, scaffolded: dict[str, Path], cli_env: dict[str, str]
) -> None:
    name = f"asset-{language}"
    project = scaffolded[language]
    deployed = _cli(cli_env, "deploy-cc", name)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    # The project's own unit tests (after the deploy, which installed its npm dependencies).
    units = subprocess.run(UNIT_TESTS[language], cwd=project, capture_output=True, text=True, timeout=600)
    assert units.returncode == 0, units.stdout[-3000:] + units.stderr[-3000:]
    entry = own_network.state.chaincodes[name]
    assert entry["sequence"] == 1 and set(entry["package_ids"]) == {"farm", "processor", "retail"}

    topology = own_network.topology
    farm_gw = connect_org(topology, own_network.layout, topology.peer_org("farm"))
    retail_gw = connect_org(topology, own_network.layout, topology.peer_org("retail"))
    try:
        farm = farm_gw.get_network(topology.channel_name).get_contract(name)
        retail = retail_gw.get_network(topology.channel_name).get_contract(name)
        created = json.loads(farm.submit_transaction("CreateAsset", "A1", "Tractor", "FarmMSP", "100"))
        assert created == {"id": "A1", "name": "Tractor", "owner": "FarmMSP", "value": 100}
        moved = json.loads(retail.submit_transaction("TransferAsset", "A1", "RetailerMSP"))
        assert moved["owner"] == "RetailerMSP"
        assert [a["id"] for a in json.loads(farm.evaluate_transaction("ListAssets"))] == ["A1"]
        with pytest.raises(EndorseError) as refused:
            farm.submit_transaction("CreateAsset", "A1", "Tractor", "FarmMSP", "100")
        assert "ALREADY_EXISTS" in str(refused.value.details) + str(refused.value)
        # The provenance contract beside it is untouched.
        assert own_network.state.chaincode["sequence"] == 1

        # Hot reload: a one-line change, the same definition (package ids and sequence), new code.
        source = project / CONTRACT_FILE[language]
        original = source.read_text()
        assert "does not exist" in original
        source.write_text(original.replace("does not exist", "is not on the ledger", 1))
        result = own_network.chaincodes.reload(name, print)
        assert result.orgs == ["farm", "processor", "retail"]
        after = own_network.state.chaincodes[name]
        assert after["package_ids"] == entry["package_ids"] and after["sequence"] == 1
        assert after["build"] != entry["build"]
        _assert_missing_message(farm, "is not on the ledger")

        # A change that does not compile: refused by the reload and by deploy-cc; nothing changes.
        pids = {s.name: own_network.runtime.pid(s) for s in own_network.nodes.specs() if name in s.name}
        source.write_text(source.read_text() + "\nthis is not code (\n")
        with pytest.raises(ccbuild.ChaincodeBuildError):
            own_network.chaincodes.reload(name, print)
        broken = _cli(cli_env, "deploy-cc", name)
        assert broken.returncode == 1 and "does not build" in broken.stderr and "unchanged" in broken.stderr
        assert own_network.state.chaincodes[name] == after
        assert {s.name: own_network.runtime.pid(s) for s in own_network.nodes.specs() if name in s.name} == pids
        _assert_missing_message(farm, "is not on the ledger")
    finally:
        farm_gw.close()
        retail_gw.close()


def _assert_missing_message(contract, text: str) -> None:
    with pytest.raises(EvaluateError) as missing:
        contract.evaluate_transaction("ReadAsset", "NO-SUCH-ASSET")
    assert text in str(missing.value.details) + str(missing.value)


# -- the console, the REST endpoints, the OpenAPI document and the Python client, from the metadata ---------
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"  # console-<lang>-<device>.png


def test_rest_openapi_client_and_console_from_metadata(
    own_network: FabricNetwork, workdir: Path, cli_env: dict[str, str]
) -> None:
    import httpx

    from fabdemo.api.app import create_app
    from fabdemo.appserver import InProcessServer

    name = "asset-typescript"  # deployed by the test above (-x stops the module when it failed)
    settings = Settings(
        state_dir=STATE, port_offset=PORT_OFFSET, topology_file=workdir / "topology.yaml", runtime="native"
    )
    with (
        InProcessServer(create_app(settings, network=own_network)) as server,
        httpx.Client(base_url=server.url, timeout=60) as api,
    ):
        assert {c["name"] for c in api.get("/api/contracts").json()} >= {"provenance", name}
        described = api.get(f"/api/contracts/{name}").json()
        create = next(t for t in described["transactions"] if t["name"] == "CreateAsset")
        assert [(p["name"], p["type"]) for p in create["parameters"]] == [
            ("id", "string"),
            ("name", "string"),
            ("owner", "string"),
            ("value", "number"),
        ]
        assert create["kind"] == "submit"
        assert next(t for t in described["transactions"] if t["name"] == "ReadAsset")["kind"] == "evaluate"

        done = api.post(
            f"/api/contracts/{name}/CreateAsset",
            json={"org": "retail", "args": {"id": "R1", "name": "Crate", "owner": "RetailerMSP", "value": 7}},
        )
        assert done.status_code == 200, done.text
        body = done.json()
        assert body["result"]["id"] == "R1" and body["proof"]["txId"] and body["proof"]["blockNumber"] > 0
        read = api.post(f"/api/contracts/{name}/ReadAsset", json={"org": "farm", "args": {"id": "R1"}}).json()
        assert read["result"]["owner"] == "RetailerMSP" and read["proof"] is None

        bad = api.post(f"/api/contracts/{name}/CreateAsset", json={"args": {"id": "R2", "name": "x", "owner": "o"}})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "value"
        assert bad.json()["error"]["message_zh"]
        wrong_type = api.post(
            f"/api/contracts/{name}/CreateAsset",
            json={"args": {"id": "R2", "name": "x", "owner": "o", "value": "seven"}},
        )
        assert wrong_type.status_code == 422 and "number" in wrong_type.json()["error"]["message"]
        duplicate = api.post(
            f"/api/contracts/{name}/CreateAsset",
            json={"args": {"id": "R1", "name": "Crate", "owner": "RetailerMSP", "value": 7}},
        )
        assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "ALREADY_EXISTS"
        assert api.post("/api/contracts/nope/CreateAsset", json={"args": {}}).status_code == 404
        assert api.post(f"/api/contracts/{name}/NoSuchTx", json={"args": {}}).status_code == 404

        document = api.get("/openapi.json").json()
        path = document["paths"][f"/api/contracts/{name}/CreateAsset"]["post"]
        args_schema = path["requestBody"]["content"]["application/json"]["schema"]["properties"]["args"]
        assert args_schema["required"] == ["id", "name", "owner", "value"]
        events = api.get(f"/api/contracts/{name}/events").json()
        assert "AssetCreated" in [e["name"] for e in events]

        # fabdemo cc-client: a typed module, imported and used.
        out = workdir / "asset_ts_client.py"
        written = _cli(cli_env, "cc-client", name, "--out", str(out))
        assert written.returncode == 0, written.stderr
        source = out.read_text()
        assert "def CreateAsset(self, id: str, name: str, owner: str, value: float) -> Any:" in source
        namespace: dict = {}
        exec(compile(source, str(out), "exec"), namespace)
        topology = own_network.topology
        gateway = connect_org(topology, own_network.layout, topology.peer_org("processor"))
        try:
            client = namespace["AssetTypescriptClient"](gateway.get_network(topology.channel_name).get_contract(name))
            assert client.ReadAsset("R1")["name"] == "Crate"
            assert client.TransferAsset("R1", "ProcessorMSP")["owner"] == "ProcessorMSP"
        finally:
            gateway.close()

        _console_in_browser(server.url, name)


def _console_in_browser(url: str, name: str) -> None:
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for lang in ("en", "zh"):
                for device, size in (("desktop", (1280, 800)), ("phone", (390, 844))):
                    context_ = browser.new_context(viewport={"width": size[0], "height": size[1]})
                    context_.add_cookies([{"name": "lang", "value": lang, "url": url}])
                    page = context_.new_page()
                    page.goto(f"{url}/contracts/{name}")
                    asset_id = f"UI-{lang}-{device}"
                    page.fill("[data-testid=cc-CreateAsset-id]", asset_id)
                    page.fill("[data-testid=cc-CreateAsset-name]", "Pallet")
                    page.fill("[data-testid=cc-CreateAsset-owner]", "FarmMSP")
                    page.fill("[data-testid=cc-CreateAsset-value]", "12")
                    page.click("[data-testid=cc-CreateAsset-go]")
                    proof = page.locator("[data-testid=cc-result-CreateAsset] [data-testid=cc-proof]")
                    proof.wait_for(timeout=30_000)
                    assert "block" in (proof.text_content() or "").lower() or "区块" in (proof.text_content() or "")
                    page.locator(f"[data-testid=cc-event] >> text={asset_id}").first.wait_for(timeout=15_000)
                    page.fill("[data-testid=cc-ReadAsset-id]", "NO-SUCH")
                    page.click("[data-testid=cc-ReadAsset-go]")
                    page.locator("[data-testid=cc-result-ReadAsset] [data-testid=cc-error]").wait_for(timeout=15_000)
                    if device == "desktop":  # the whole page, from the top
                        page.evaluate("window.scrollTo(0, 0)")
                        page.screenshot(path=str(SHOTS / f"console-{lang}-{device}.png"), full_page=True)
                    else:  # what a phone shows: the create form with its result
                        page.locator("[data-testid=cc-result-CreateAsset]").scroll_into_view_if_needed()
                        page.screenshot(path=str(SHOTS / f"console-{lang}-{device}.png"))
                    context_.close()
        finally:
            browser.close()
