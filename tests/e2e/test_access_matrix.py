"""Who may do what, on the real network: every submit operation against every identity.

The expected matrix is data (access_matrix.yaml). Every call gets its preconditions first (a lot in
the right state held by the right org, a pending transfer, a granted role), so the only reason for a
deny is the identity. The observed matrix is written to docs/access-matrix.md; the test fails when it
differs from the expected data or when the committed page was stale.

Operations run concurrently (asyncio.gather); within one operation the identities take turns on one
prepared lot, and a fresh lot is prepared only after a call was allowed (a denied call changes
nothing, which the contract's own tests check), so few lots are needed.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fabdemo.connections import connect_org_async
from fabdemo.network.manager import FabricNetwork
from fabric_gateway import AsyncContract, AsyncGateway, GatewayError, Identity, connect_async
from fabric_gateway.signer import signer_from_private_key

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent
EXPECTED = yaml.safe_load((HERE / "access_matrix.yaml").read_text())
DOC = HERE.parents[1] / "docs" / "access-matrix.md"
PRODUCT = "PRD-MATRIX"
PEER_REFUSED = "PEER_REFUSED"
ORGS = ("farm", "processor", "retail")
ROLE_OPS = ("GrantRole", "RevokeRole")
PRICE = {"buyerMsp": "RetailerMSP", "sellerMsp": "ProcessorMSP", "unitPrice": 1.5, "currency": "EUR"}


def _uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _expected(operation: str, identity: str) -> str:
    row = EXPECTED["operations"][operation]
    org, _, user = identity.partition(".")
    # an attribute-carrying client (farm.ca-inspector) is a client like User1 where a row keys by user
    for key in (identity, org, user, "User1" if identity in ATTRIBUTE_IDENTITIES else None):
        if key in row:
            return row[key]
    return EXPECTED["defaults"][identity]


def foreign_identity(msp_id: str) -> tuple[Identity, object]:
    """A user certificate issued by a throwaway CA that no MSP of the channel knows."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ca.intruder.example.com")])
    user_key = ec.generate_private_key(ec.SECP256R1())
    user_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "client"),
            x509.NameAttribute(NameOID.COMMON_NAME, "User1@intruder.example.com"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(user_name)
        .issuer_name(ca_name)
        .public_key(user_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(ca_key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    return Identity(msp_id=msp_id, credentials=pem), signer_from_private_key(user_key)


# Fabric CA style FarmMSP clients (attributes in the certificate), minted with the farm's CA key.
ATTRIBUTE_IDENTITIES = {"farm.ca-inspector": "inspector", "farm.ca-consumer": "consumer"}


def attribute_identity(ca_dir: Path, msp_id: str, name: str, role: str) -> tuple[Identity, object]:
    """A client certificate of the org's own CA carrying Fabric CA attributes (the 1.2.3.4.5.6.7.8.1 extension)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_cert = x509.load_pem_x509_certificate(next(ca_dir.glob("*-cert.pem")).read_bytes())
    ca_key = serialization.load_pem_private_key((ca_dir / "priv_sk").read_bytes(), password=None)
    user_key = ec.generate_private_key(ec.SECP256R1())
    attrs = {"attrs": {"hf.EnrollmentID": name, "hf.Type": "client", "hf.Affiliation": "", "role": role}}
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "client"),
                    x509.NameAttribute(NameOID.COMMON_NAME, name),
                ]
            )
        )
        .issuer_name(ca_cert.subject)
        .public_key(user_key.public_key())
        .serial_number(x509.random_serial_number())
        # Fabric's MSP checks the chain at the leaf's NotBefore: never before the (fresh) CA's own
        .not_valid_before(max(ca_cert.not_valid_before_utc, now - datetime.timedelta(minutes=1)))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.4.5.6.7.8.1"), json.dumps(attrs).encode()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    return Identity(msp_id=msp_id, credentials=pem), signer_from_private_key(user_key)


@dataclass
class World:
    """Open contracts per identity name, plus the org-level helpers that build preconditions."""

    contracts: dict[str, AsyncContract]

    def of(self, identity: str) -> AsyncContract:
        return self.contracts[identity]

    async def settled(self, function: str, *args: str) -> None:
        """Wait until every org's own peer answers ``function(*args)`` alike.

        A submit returns once the submitting org's peer committed; another org's peer may be a block
        behind and would refuse the next call for the wrong reason (a lot it has not seen yet).
        """
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            answers = await asyncio.gather(
                *(self.of(f"{org}.User1").evaluate_transaction(function, *args) for org in ORGS),
                return_exceptions=True,
            )
            if all(isinstance(a, bytes) for a in answers) and len(set(answers)) == 1:
                return
            assert asyncio.get_running_loop().time() < deadline, f"peers disagree on {function}{args}: {answers}"
            await asyncio.sleep(0.05)

    async def step(self, identity: str, function: str, lot: str, *args: str) -> None:
        """One precondition transaction on a lot, seen by every peer before the next one."""
        await self.of(identity).submit_transaction(function, lot, *args)
        await self.settled("GetLot", lot)

    async def farm_lot(self) -> str:
        lot = _uid("MX")
        await self.step(
            "farm.User1", "HarvestLot", lot, PRODUCT, "Roma", "50", "kg", "Matrix Farm", "", "", "2026-05-01"
        )
        return lot

    async def pending_to_processor(self) -> str:
        lot = await self.farm_lot()
        await self.step("farm.User1", "ProposeTransfer", lot, "ProcessorMSP", "", "", "")
        return lot

    async def processor_lot(self) -> str:
        lot = await self.pending_to_processor()
        await self.step("processor.User1", "AcceptTransfer", lot)
        return lot

    async def retail_lot(self) -> str:
        lot = await self.processor_lot()
        await self.step("processor.User1", "ProposeTransfer", lot, "RetailerMSP", "", "", "")
        await self.step("retail.User1", "AcceptTransfer", lot)
        return lot

    async def quarantined_lot(self) -> str:
        lot = await self.farm_lot()
        await self.step("farm.User1", "RecordTemperature", lot, "30", "barn")
        return lot

    async def fresh_product(self) -> str:
        product = _uid("PRD")
        await self.of("farm.User1").submit_transaction("DefineProduct", product, "Matrix product", "1", "9")
        await self.settled("GetProduct", product)
        return product

    async def granted_msp(self) -> str:
        msp = _uid("MatrixMSP")
        await self.of("farm.Admin").submit_transaction("GrantRole", msp, "carrier")
        await self.settled("GetRoles")
        return msp


# One call of an operation: given the prepared subject (lot id, MSP id or "") and the caller's
# identity name, the call's arguments.
Call = Callable[[str, str], list[str]]


def _fresh_gtin() -> str:
    """A GTIN-14 nobody holds yet, with its check digit (GTINs are unique per product)."""
    body = "0" + str(uuid.uuid4().int)[:12]
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def _receiver_for(identity: str) -> str:
    return "RetailerMSP" if identity.startswith("processor.") else "ProcessorMSP"


@dataclass(frozen=True)
class Case:
    prepare: Callable[[World], Awaitable[str]] | None
    call: Call
    transient: bool = False


def _none(_world: World) -> Awaitable[str]:
    async def nothing() -> str:
        return ""

    return nothing()


CASES: dict[str, Case] = {
    "InitRoles": Case(None, lambda _, _who: ['{"FarmMSP":["grower"]}']),
    "GrantRole": Case(None, lambda _, _who: [_uid("MatrixMSP"), "carrier"]),
    "RevokeRole": Case(World.granted_msp, lambda msp, _who: [msp, "carrier"]),
    "DefineProduct": Case(None, lambda _, _who: [_uid("PRD"), "Matrix product", "1", "9"]),
    "HarvestLot": Case(None, lambda _, _who: [_uid("MX"), PRODUCT, "Roma", "5", "kg", "F", "", "", "2026-05-01"]),
    "RecordInput": Case(World.farm_lot, lambda lot, _who: [lot, "OTHER", "water", "1 L", "2026-05-02"]),
    "AnchorCertificate": Case(
        World.farm_lot,
        lambda lot, _who: [lot, _uid("CERT"), "Organic", "Cert Co", "0" * 64, "2026-01-01", "2027-01-01"],
    ),
    "ProcessLot": Case(World.processor_lot, lambda lot, _who: [lot, "WASHING", "rinsed"]),
    "SplitLot": Case(World.processor_lot, lambda lot, _who: [lot, json.dumps([{"lotId": _uid("MXC"), "quantity": 1}])]),
    # to another org than the caller's own, so that a refusal is not TRANSFER_TO_SELF
    "ProposeTransfer": Case(World.farm_lot, lambda lot, who: [lot, _receiver_for(who), "", "", ""]),
    "AcceptTransfer": Case(World.pending_to_processor, lambda lot, _who: [lot]),
    "RejectTransfer": Case(World.pending_to_processor, lambda lot, _who: [lot, "wrong crates"]),
    "CancelTransfer": Case(World.pending_to_processor, lambda lot, _who: [lot]),
    "RecordCheckpoint": Case(World.farm_lot, lambda lot, _who: [lot, "45.1", "7.6", "yard", ""]),
    "RecordTemperature": Case(World.farm_lot, lambda lot, _who: [lot, "4", "cold room"]),
    "RecordTemperatures": Case(
        World.farm_lot, lambda lot, _who: [lot, '[{"celsius":4,"location":"cold room"},{"celsius":5,"location":""}]']
    ),
    "ReleaseQuarantine": Case(World.quarantined_lot, lambda lot, _who: [lot, "probe fixed"]),
    "MarkSold": Case(World.retail_lot, lambda lot, _who: [lot, "Store 1"]),
    "CheckAuthenticity": Case(World.farm_lot, lambda lot, _who: [lot, "Shelf 1"]),
    "RecallLot": Case(World.farm_lot, lambda lot, _who: [lot, "matrix recall"]),
    "SetPrice": Case(World.processor_lot, lambda lot, _who: [lot], transient=True),
    "AssignGTIN": Case(World.fresh_product, lambda product, _who: [product, _fresh_gtin()]),
    "RecordReferenceDocument": Case(World.farm_lot, lambda lot, _who: [lot, "HARVESTING", "WORK_ORDER", "WO-1"]),
    "ProposeTransferWithDocument": Case(
        World.farm_lot, lambda lot, who: [lot, _receiver_for(who), "", "", "", "BILL_OF_LADING", "BOL-1"]
    ),
    "AcceptTransferWithDocument": Case(World.pending_to_processor, lambda lot, _who: [lot, "ASN", "ASN-1"]),
}


# What the peer answers when the proposal's creator is not an identity of a channel MSP (Fabric's
# ValidateProposal: "access denied: channel [...] creator org unknown, creator is malformed" or a
# certificate that does not chain to the MSP's CA).
PEER_REFUSAL_MARKERS = ("access denied", "creator org unknown", "certificate signed by unknown authority")
UNEXPLAINED: dict[str, str] = {}  # cell -> error text, for the failure message of an unexpected outcome


def _outcome(err: GatewayError) -> str:
    """A chaincode error's code; PEER_REFUSED for a peer's identity refusal; anything else is unexplained."""
    if err.chaincode_code:
        return err.chaincode_code
    if any(marker in str(err).lower() for marker in PEER_REFUSAL_MARKERS):
        return PEER_REFUSED
    return f"ERROR({type(err).__name__})"


async def _call(world: World, identity: str, operation: str, case: Case, subject: str) -> str:
    transient = None
    if case.transient:
        transient = {"price": json.dumps({**PRICE, "terms": "", "salt": uuid.uuid4().hex})}
    try:
        await world.of(identity).submit(operation, arguments=case.call(subject, identity), transient_data=transient)
    except GatewayError as err:
        UNEXPLAINED[f"{operation} as {identity}"] = str(err)[:400]
        return _outcome(err)
    return "allow"


async def _run_operation(world: World, operation: str, identities: list[str]) -> dict[str, str]:
    case = CASES[operation]
    prepare = case.prepare or _none
    observed: dict[str, str] = {}
    subject: str | None = None
    for identity in identities:
        if subject is None:
            subject = await prepare(world)
        observed[identity] = await _call(world, identity, operation, case, subject)
        if observed[identity] == "allow":
            subject = None  # the call may have used the precondition up
            if operation in ROLE_OPS:  # the next role change reads every assignment, on every peer
                await world.settled("GetRoles")
    return observed


async def _observe(network: FabricNetwork) -> dict[str, dict[str, str]]:
    topology, layout = network.topology, network.layout
    orgs = {org.key: org for org in topology.peer_orgs}
    gateways: dict[str, AsyncGateway] = {}
    for name in EXPECTED["identities"]:
        org_key, _, user = name.partition(".")
        if user and name not in ATTRIBUTE_IDENTITIES:
            gateways[name] = await connect_org_async(topology, layout, orgs[org_key], user)
    farm = orgs["farm"]
    minted = {
        name: foreign_identity(msp)
        for name, msp in {"unknown-msp": "IntruderMSP", "farm-msp-foreign-ca": farm.msp_id}.items()
    }
    for name, role in ATTRIBUTE_IDENTITIES.items():
        ca_dir = layout.peer_org_dir(farm) / "ca"
        minted[name] = attribute_identity(ca_dir, farm.msp_id, f"{name.split('.')[1]}@{farm.domain}", role)
    for name, (identity, signer) in minted.items():
        gateways[name] = await connect_async(
            endpoint=farm.peer.address,
            tls_root_cert_path=layout.peer_tls_ca(farm),
            server_name_override=farm.peer.host,
            identity=identity,
            signer=signer,
        )
    try:
        world = World(
            {
                name: gw.get_network(topology.channel_name).get_contract(topology.chaincode.name)
                for name, gw in gateways.items()
            }
        )
        try:
            await world.of("farm.User1").submit_transaction("DefineProduct", PRODUCT, "Matrix tomatoes", "2", "8")
        except GatewayError as err:
            assert err.chaincode_code == "ALREADY_EXISTS", err
        await world.settled("GetProduct", PRODUCT)
        operations = list(EXPECTED["operations"])
        # Role changes read every role assignment: run them one after the other, not side by side.
        role_ops = [op for op in operations if op in ROLE_OPS]
        other_ops = [op for op in operations if op not in role_ops]

        async def roles_in_turn() -> list[dict[str, str]]:
            return [await _run_operation(world, op, EXPECTED["identities"]) for op in role_ops]

        results = await asyncio.gather(
            roles_in_turn(), *(_run_operation(world, op, EXPECTED["identities"]) for op in other_ops)
        )
        rows = dict(zip(role_ops, results[0], strict=True))
        rows.update(zip(other_ops, results[1:], strict=True))
        return {op: rows[op] for op in operations}
    finally:
        await asyncio.gather(*(gw.close() for gw in gateways.values()))


def render_markdown(matrix: dict[str, dict[str, str]]) -> str:
    identities = EXPECTED["identities"]
    lines = [
        "# Access matrix",
        "",
        "<!-- Generated by tests/e2e/test_access_matrix.py from what the real network answered; do not edit. -->",
        "",
        "Every submit operation of the provenance contract, called by every identity on the running network,",
        "with its preconditions met (the right lot in the right state), so a deny is about the identity only.",
        "`allow` means the transaction committed; otherwise the cell is the error code the call was refused",
        "with. `PEER_REFUSED`: the peer rejected the proposal before the chaincode ran (certificate from a CA",
        "that the channel does not know). `unknown-msp` uses a made-up MSP id, `farm-msp-foreign-ca` claims",
        "FarmMSP with a certificate from a foreign CA. `farm.ca-inspector` and `farm.ca-consumer` are FarmMSP",
        "clients whose certificates carry Fabric CA attributes (role=inspector, role=consumer), as `make up",
        "IDENTITIES=ca` issues them: on such a certificate a quarantine release needs role=inspector and a",
        "recall role=recall-manager. The expected data is tests/e2e/access_matrix.yaml.",
        "",
        "| operation | " + " | ".join(identities) + " |",
        "| --- | " + " | ".join("---" for _ in identities) + " |",
    ]
    for operation, row in matrix.items():
        lines.append(f"| {operation} | " + " | ".join(row[i] for i in identities) + " |")
    return "\n".join(lines) + "\n"


def test_access_matrix(network: FabricNetwork) -> None:
    observed = asyncio.run(_observe(network))
    expected = {op: {i: _expected(op, i) for i in EXPECTED["identities"]} for op in EXPECTED["operations"]}

    page = render_markdown(observed)
    committed = DOC.read_text() if DOC.exists() else ""
    DOC.write_text(page)  # the docs always show what the test saw; commit the page when it changed

    diff = {
        f"{op} as {i}": f"expected {expected[op][i]}, observed {observed[op][i]}"
        for op in expected
        for i in expected[op]
        if expected[op][i] != observed[op][i]
    }
    assert not diff, {cell: f"{why}: {UNEXPLAINED.get(cell, '')}" for cell, why in diff.items()}
    assert committed == page, f"{DOC} was stale; it has been regenerated, commit it"


def test_matrix_covers_every_submit_operation() -> None:
    """The expected data lists exactly the contract's submit transactions (from its metadata)."""
    metadata = json.loads((HERE.parents[1] / "chaincode" / "contract-metadata" / "metadata.json").read_text())
    transactions = metadata["contracts"]["provenance"]["transactions"]
    submits = {t["name"] for t in transactions if "evaluate" not in t.get("tag", [])}
    assert set(EXPECTED["operations"]) == submits
    assert set(CASES) == submits
