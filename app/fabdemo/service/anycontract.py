"""Any deployed contract, driven from its own metadata: the one code path of the generic REST endpoints
(``/api/contracts/...``), the console pages (``/contracts/<name>``) and the Python client generator.

``metadata(name)`` evaluates ``org.hyperledger.fabric:GetMetadata`` once per deployed build (cached by
the build that network.json records, so a hot reload or a redeploy is seen at once). ``call(name, tx,
org, args, transient)`` checks the arguments against the transaction's parameter schemas, converts them
to the texts the contract API parses, and evaluates or submits as the org through the same gateway
pool, retry policy and ledger proofs as the kit's own contract.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from fabdemo.network.manager import FabricNetwork
from fabdemo.service import ccmetadata
from fabdemo.service.blocks import chain_height
from fabdemo.service.ccmetadata import ContractMetadata
from fabdemo.service.contracts import ContractService, parse_payload
from fabdemo.service.errors import ServiceError, from_gateway_error
from fabric_gateway import GatewayError


def unknown_contract(name: str, known: list[str]) -> ServiceError:
    return ServiceError(
        "UNKNOWN_CONTRACT",
        f"no deployed chaincode is called {name!r}; deployed: {', '.join(known) or 'none'}",
        404,
        message_zh=f"没有名为 {name} 的已部署链码；已部署：{'、'.join(known) or '无'}",
        field="name",
    )


def unknown_transaction(name: str, tx: str) -> ServiceError:
    return ServiceError(
        "UNKNOWN_OPERATION",
        f"chaincode {name} has no transaction {tx!r} (see GET /api/contracts/{name})",
        404,
        message_zh=f"链码 {name} 没有交易 {tx}（见 GET /api/contracts/{name}）",
        field="tx",
    )


def bad_argument(param: str, expected: str) -> ServiceError:
    return ServiceError(
        "INVALID_ARGUMENT",
        f"{param} must be {expected}",
        message_zh=f"参数 {param} 必须是{_EXPECTED_ZH.get(expected, expected)}",
        field=param,
    )


_EXPECTED_ZH = {
    "a string": "字符串",
    "a whole number": "整数",
    "a number": "数字",
    "a finite number": "有限数字",
    "true or false": "true 或 false",
    "JSON": "JSON",
    "given": "必填项（缺少）",
}


EVENTS_IDLE = 0.5  # seconds without a new event after which the events read so far are returned


class AnyContractService:
    def __init__(self, network: FabricNetwork, contracts: ContractService) -> None:
        self.network = network
        self.contracts = contracts
        self._cache: dict[str, tuple[str, ContractMetadata]] = {}

    def deployed(self) -> dict[str, str]:
        """Every deployed chaincode of the channel: name -> the build it runs (the provenance one first)."""
        state = self.network.state
        names: dict[str, str] = {}
        if state.chaincode.get("name"):
            names[state.chaincode["name"]] = state.chaincode.get("label", "")
        for name, entry in state.chaincodes.items():
            names[name] = entry.get("build", "")
        return names

    def _build(self, name: str) -> str:
        deployed = self.deployed()
        if name not in deployed:
            raise unknown_contract(name, list(deployed))
        return deployed[name]

    async def metadata(self, name: str) -> ContractMetadata:
        build = self._build(name)
        cached = self._cache.get(name)
        if cached and cached[0] == build:
            return cached[1]
        org = self.contracts.orgs.org(None)
        try:
            channel = await self.contracts.gateways.channel(org)
            raw = await channel.get_contract(name, ccmetadata.SYSTEM_CONTRACT).evaluate_transaction("GetMetadata")
        except GatewayError as err:
            raise from_gateway_error(err) from err
        metadata = ccmetadata.parse(name, raw)
        self._cache[name] = (build, metadata)
        return metadata

    def cached_metadata(self) -> list[ContractMetadata]:
        """What has been read so far, for the current builds (the OpenAPI document is built from these)."""
        deployed = self.deployed()
        return [m for n, (b, m) in self._cache.items() if deployed.get(n) == b]

    def arguments(self, metadata: ContractMetadata, tx_name: str, args: dict[str, Any] | None) -> list[str]:
        tx = metadata.transaction(tx_name)
        if tx is None:
            raise unknown_transaction(metadata.chaincode, tx_name)
        args = args or {}
        unknown = sorted(set(args) - {p.name for p in tx.params})
        if unknown:
            raise bad_argument(unknown[0], f"one of {', '.join(p.name for p in tx.params) or 'no parameters'}")
        texts = []
        for param in tx.params:
            if param.name not in args:
                raise bad_argument(param.name, "given")
            try:
                texts.append(ccmetadata.to_argument(param, args[param.name]))
            except ValueError as err:
                raise bad_argument(param.name, str(err)) from None
        return texts

    async def call(
        self,
        name: str,
        tx_name: str,
        org_key: str | None,
        args: dict[str, Any] | None = None,
        transient: dict[str, Any] | None = None,
        *,
        submit: bool | None = None,
    ) -> dict[str, Any]:
        """Evaluate or submit (``submit``; default: as the metadata marks it) and return result and proof."""
        metadata = await self.metadata(name)
        texts = self.arguments(metadata, tx_name, args)
        tx = metadata.transaction(tx_name)
        assert tx is not None
        org = self.contracts.orgs.org(org_key)
        transient_bytes = {
            k: (v if isinstance(v, str) else json.dumps(v)).encode() for k, v in (transient or {}).items()
        }
        as_submit = tx.submit if submit is None else submit
        function = f"{metadata.contract}:{tx_name}" if metadata.contract else tx_name
        started = time.perf_counter()
        if as_submit:
            result, proof = await self.contracts._submit(
                org, function, texts, transient_bytes or None, None, chaincode=name
            )
        else:
            result = await self.contracts._evaluate(org, function, texts, transient_bytes or None, chaincode=name)
            proof = None
        return {
            "chaincode": name,
            "transaction": tx_name,
            "kind": "submit" if as_submit else "evaluate",
            "org": org.key,
            "msp": org.msp_id,
            "args": dict(args or {}),
            "result": result,
            "proof": proof,
            "elapsedMs": round((time.perf_counter() - started) * 1000, 1),
        }

    async def events(self, name: str, start_block: int = 0, limit: int = 50) -> list[dict[str, Any]]:
        """The chaincode's events from ``start_block``, as far as the channel has them (at most ``limit``)."""
        self._build(name)
        org = self.contracts.orgs.org(None)
        channel = await self.contracts.gateways.channel(org)
        height = await chain_height(channel)
        found: list[dict[str, Any]] = []
        if height <= start_block:
            return found
        stream = channel.get_chaincode_events(name, start_block=start_block)
        async with stream as events:
            while len(found) < limit:
                # The stream waits for future events; what is on the ledger arrives at once, so a quiet
                # moment (or an event in the last block) means the past is read.
                try:
                    event = await asyncio.wait_for(anext(events), EVENTS_IDLE)
                except (TimeoutError, StopAsyncIteration):
                    break
                found.append(
                    {
                        "block": event.block_number,
                        "txId": event.transaction_id,
                        "name": event.event_name,
                        "payload": parse_payload(event.payload),
                    }
                )
                if event.block_number >= height - 1:
                    break
        return found
