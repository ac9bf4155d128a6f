"""The contract service: the one code path from an action (UI, API, storyboard, seed) to the contract.

``perform(org, op_id, args)`` checks the arguments against the catalogue, calls the contract as that
org and returns the parsed result together with the ledger proof (tx id, block, endorsing orgs,
validation code) taken from the block follower. ``call(org, function, arguments)`` does the same for a
function the catalogue does not know (the developers' storyboard). Every submit goes through one
:class:`RetryPolicy`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, Protocol

from fabdemo.network.topology import PeerOrg
from fabdemo.service.blocks import chain_height, ledger_proof
from fabdemo.service.catalogue import get_operation, to_contract_arguments, validate_args
from fabdemo.service.errors import ServiceError, from_gateway_error
from fabdemo.service.gateways import GatewayPool
from fabdemo.service.orgs import OrgDirectory
from fabdemo.service.retry import OutcomeUnknown, RetryPolicy, TransactionNotOrdered, ledger_lookup
from fabric_gateway import (
    GatewayError,
)
from fabric_gateway.transaction import AsyncTransaction

log = logging.getLogger("fabdemo.service")

PROOF_WAIT = 3.0  # seconds to wait for the follower to read the block of a fresh transaction
# Read your writes across orgs: an org acting right after another org's commit (the processor accepting
# the farm's handover 20 ms later) waits, at most CATCH_UP_TIMEOUT, until its own peer has that block.
# Past CATCH_UP_WINDOW every peer has long had it, so nothing is asked.
CATCH_UP_WINDOW = 5.0
CATCH_UP_TIMEOUT = 3.0


@dataclass(frozen=True)
class Frontier:
    """The newest block a transaction of this service committed in, by which org, and when."""

    org_key: str
    block: int
    at: float


class ProofSource(Protocol):
    """Where ledger proofs come from (the block follower)."""

    async def wait_for(self, tx_id: str, timeout: float = ...) -> dict[str, Any] | None: ...


def parse_payload(payload: bytes) -> Any:
    if not payload:
        return None
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return payload.decode("utf-8", errors="replace")


class ContractService:
    def __init__(
        self,
        orgs: OrgDirectory,
        gateways: GatewayPool,
        proofs: ProofSource | None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.orgs = orgs
        self.gateways = gateways
        self.proofs = proofs  # None: the block follower is not running; proofs come from the commit status
        self.policy = policy or RetryPolicy()
        self._frontier: Frontier | None = None
        self._known_height: dict[str, int] = {}  # org key -> a height its peer was seen to have

    async def perform(
        self,
        org_key: str | None,
        op_id: str,
        args: dict[str, Any] | None = None,
        *,
        endorsing_orgs: list[str] | None = None,
        user: str | None = None,
    ) -> dict[str, Any]:
        """Validate, call the contract as ``org_key`` and return ``{result, proof, ...}``.

        ``endorsing_orgs`` (org keys or MSP ids) overrides who endorses a submit; the storyboards use it
        to show a transaction that the endorsement policy refuses. ``user`` signs as one of the org's
        named users (CA identities) instead of its app user.
        """
        op = get_operation(op_id)
        org = self.orgs.org(org_key)
        clean = validate_args(op, args)
        arguments, transient = to_contract_arguments(op, clean)
        started = time.perf_counter()
        if op.submit:
            endorsers = self.orgs.endorsers(op, endorsing_orgs)
            result, proof = await self._submit(org, op.function, arguments, transient, endorsers, user)
        else:
            result, proof = await self._evaluate(org, op.function, arguments, transient, user), None
        return {
            "operation": op.id,
            "function": op.function,
            "kind": op.kind,
            "org": org.key,
            "msp": org.msp_id,
            "user": user,
            "args": {p.name: clean[p.name] for p in op.params if not p.transient},
            "result": result,
            "proof": proof,
            "elapsedMs": round((time.perf_counter() - started) * 1000, 1),
        }

    async def query(self, org_key: str | None, op_id: str, args: dict[str, Any] | None = None) -> Any:
        return (await self.perform(org_key, op_id, args))["result"]

    async def call(
        self, org_key: str | None, function: str, arguments: list[Any], *, submit: bool = False
    ) -> dict[str, Any]:
        """Call any contract function by name, as a developer would with the client (no catalogue).

        Used by the developers' storyboard for functions the UI does not know, such as the metadata
        query or a function added by a live upgrade.
        """
        org = self.orgs.org(org_key)
        texts = [a if isinstance(a, str) else json.dumps(a) for a in arguments]
        started = time.perf_counter()
        if submit:
            result, proof = await self._submit(org, function, texts, None, None)
        else:
            result, proof = await self._evaluate(org, function, texts, None), None
        return {
            "function": function,
            "org": org.key,
            "args": {"arguments": texts},
            "result": result,
            "proof": proof,
            "elapsedMs": round((time.perf_counter() - started) * 1000, 1),
        }

    # -- the two ways to call the contract -----------------------------------------------------------
    async def _evaluate(
        self,
        org: PeerOrg,
        function: str,
        arguments: list[Any],
        transient: dict[str, Any] | None,
        user: str | None = None,
        chaincode: str | None = None,
    ) -> Any:
        try:
            contract = await self.gateways.contract(org, user, chaincode)
            return parse_payload(await contract.evaluate(function, arguments=arguments, transient_data=transient))
        except GatewayError as err:
            raise from_gateway_error(err) from err

    async def _submit(
        self,
        org: PeerOrg,
        function: str,
        arguments: list[Any],
        transient: dict[str, Any] | None,
        endorsers: list[str] | None,
        user: str | None = None,
        chaincode: str | None = None,
    ) -> tuple[Any, dict[str, Any]]:
        try:
            contract = await self.gateways.contract(org, user, chaincode)
            await self._catch_up(org, user)

            def endorse() -> Awaitable[AsyncTransaction]:
                proposal = contract.new_proposal(
                    function, arguments=arguments, transient_data=transient, endorsing_organizations=endorsers
                )
                return proposal.endorse()

            lookup = ledger_lookup(await self.gateways.channel(org, user))
            submitted, status = await self.policy.submit(endorse, org.msp_id, lookup)
        except TransactionNotOrdered as err:
            raise not_ordered_error(err, self.policy.ordering_seconds) from err
        except OutcomeUnknown as err:
            raise outcome_unknown_error(err) from err
        except GatewayError as err:
            raise from_gateway_error(err) from err
        if self._frontier is None or status.block_number >= self._frontier.block:
            self._frontier = Frontier(org.key, status.block_number, time.monotonic())
        self._known_height[org.key] = max(self._known_height.get(org.key, 0), status.block_number + 1)
        proof = await self.proofs.wait_for(submitted.transaction_id, PROOF_WAIT) if self.proofs else None
        if proof is None:  # not followed (or not read in time): what the commit status tells
            proof = ledger_proof(
                submitted.transaction_id,
                status.block_number,
                status.code_name,
                valid=True,
                endorsers=None,
                creator=org.msp_id,
                function=function,
                signer=user,  # a named user (CA identities); None: the org's app user
            )
        return parse_payload(submitted.result), proof

    async def _catch_up(self, org: PeerOrg, user: str | None) -> None:
        """Wait until ``org``'s own peer has the block of the newest transaction another org committed.

        Each org endorses on its own peer first, and peers commit a block a few milliseconds apart: a
        handover accepted right after it was proposed would otherwise be refused ("no pending transfer")
        by a peer one block behind. On time-out the submit goes ahead and the contract's answer stands.
        """
        frontier = self._frontier
        if frontier is None or frontier.org_key == org.key or time.monotonic() - frontier.at > CATCH_UP_WINDOW:
            return
        if self._known_height.get(org.key, 0) > frontier.block:
            return
        channel = await self.gateways.channel(org, user)
        deadline = time.monotonic() + CATCH_UP_TIMEOUT
        while True:
            try:
                height = await chain_height(channel, timeout=5.0)
            except GatewayError:  # its peer does not answer: the submit will say so itself
                return
            self._known_height[org.key] = max(self._known_height.get(org.key, 0), height)
            if height > frontier.block or time.monotonic() > deadline:
                return
            await asyncio.sleep(0.02)


def not_ordered_error(err: TransactionNotOrdered, seconds: float) -> ServiceError:
    """No orderer took it (the ordering service has no quorum): nothing was recorded."""
    first = err.message.splitlines()[0][:200] if err.message else "no orderer answered"
    return ServiceError(
        "NETWORK_UNAVAILABLE",
        f"no orderer took the transaction within {seconds:.0f}s ({first}): the ordering service has no "
        "quorum. Nothing was recorded; try again once the orderers are back (`make status`)",
        message_zh=f"排序服务不可用：{seconds:.0f} 秒内没有排序节点接受该交易（排序节点不足法定数量）。"
        "交易未被记录，请在排序节点恢复后重试（make status）",
        source="network",
        params={"txId": err.transaction_id or ""},
    )


def outcome_unknown_error(err: OutcomeUnknown) -> ServiceError:
    """Sent, but its fate is unknown: never "failed", since it may still commit; the caller gets the id."""
    tx_id = err.transaction_id or ""
    return ServiceError(
        "COMMIT_TIMEOUT",
        f"transaction {tx_id} was sent for ordering but is not on the ledger yet; it may still commit. "
        "Look it up by its id before trying again",
        message_zh=f"提交超时：交易 {tx_id} 已发送排序，但尚未记入账本，仍可能提交。重试前请按交易编号查询",
        source="network",
        params={"txId": tx_id},
    )
