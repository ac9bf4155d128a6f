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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from fabdemo.network.topology import PeerOrg
from fabdemo.service.blocks import ledger_proof
from fabdemo.service.catalogue import get_operation, to_contract_arguments, validate_args
from fabdemo.service.errors import from_gateway_error
from fabdemo.service.gateways import GatewayPool
from fabdemo.service.orgs import OrgDirectory
from fabric_gateway import EndorseError, GatewayError, MvccConflictError, SubmitError
from fabric_gateway.commit import AsyncSubmittedTransaction, Status, check_status
from fabric_gateway.retry import backoff_delay
from fabric_gateway.transaction import AsyncTransaction

log = logging.getLogger("fabdemo.service")

PROOF_WAIT = 3.0  # seconds to wait for the follower to read the block of a fresh transaction

MVCC = "an MVCC conflict"
PEER_LAG = "a refusal by other orgs' peers only"
ORDERING = "no orderer taking transactions"


def only_remote_peers_failed(err: EndorseError, acting_msp: str) -> bool:
    """True when our own org's peer endorsed but another org's peer refused.

    Our peer has committed everything we were told about; another org's peer commits the same blocks a
    few milliseconds later. A refusal from it alone (say "held by FarmMSP" right after a handover we just
    confirmed) means it has not caught up yet: worth another try. A refusal by our own peer is real.
    """
    return bool(err.details) and all(d.msp_id and d.msp_id != acting_msp for d in err.details)


@dataclass(frozen=True)
class RetryPolicy:
    """When a submit is tried again, and after how long. Nothing else is ever retried.

    - **MVCC conflict** (two people acted on one lot at once): endorse again (a new transaction id)
      against the current state, after the client's jittered exponential backoff
      (:func:`fabric_gateway.retry.backoff_delay`).
    - **Endorsement refused by other orgs' peers only** (they lag a block behind ours, see
      docs/architecture.md): endorse again after a short, growing pause.
    - **No orderer takes the transaction** (Raft is electing a new leader after an orderer failed):
      submit the *same* signed transaction again, for up to ``ordering_seconds``. It keeps its id, so it
      is ordered at most once: nothing acknowledged is lost, nothing is duplicated.

    The first two share ``attempts`` (endorsements in all, the first one included).
    """

    attempts: int = 4
    mvcc_backoff: float = 0.05
    lag_step: float = 0.15
    ordering_seconds: float = 10.0
    ordering_pause: float = 0.25

    def reason(self, err: GatewayError, acting_msp: str) -> str | None:
        """Why ``err`` may be worth another try, or ``None`` if it is final."""
        if isinstance(err, MvccConflictError):
            return MVCC
        if isinstance(err, EndorseError) and only_remote_peers_failed(err, acting_msp):
            return PEER_LAG
        if isinstance(err, SubmitError):
            return ORDERING
        return None

    def pause(self, reason: str, endorsements: int, ordering_waited: float) -> float | None:
        """Seconds to wait before the next try, or ``None`` once the budget for ``reason`` is spent."""
        if reason == ORDERING:
            return self.ordering_pause if ordering_waited < self.ordering_seconds else None
        if endorsements >= self.attempts:
            return None
        if reason == MVCC:
            return backoff_delay(self.mvcc_backoff, endorsements)
        return backoff_delay(lambda n: self.lag_step * n, endorsements)

    async def submit(
        self, endorse: Callable[[], Awaitable[AsyncTransaction]], acting_msp: str
    ) -> tuple[AsyncSubmittedTransaction, Status]:
        """Endorse, order and wait for the commit of one transaction, retrying as described above."""
        transaction: AsyncTransaction | None = None
        endorsements = 0
        endorsed_at = 0.0
        while True:
            try:
                if transaction is None:
                    endorsements += 1
                    transaction = await endorse()
                    endorsed_at = time.monotonic()
                submitted = await transaction.submit()
                return submitted, check_status(await submitted.get_status())
            except GatewayError as err:
                reason = self.reason(err, acting_msp)
                pause = None if reason is None else self.pause(reason, endorsements, time.monotonic() - endorsed_at)
                if reason is None or pause is None:
                    raise
                if reason != ORDERING:
                    transaction = None  # endorse again, against the current state
                log.info("submit as %s hit %s; trying again in %.2fs", acting_msp, reason, pause)
                await asyncio.sleep(pause)


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

    async def perform(
        self,
        org_key: str | None,
        op_id: str,
        args: dict[str, Any] | None = None,
        *,
        endorsing_orgs: list[str] | None = None,
    ) -> dict[str, Any]:
        """Validate, call the contract as ``org_key`` and return ``{result, proof, ...}``.

        ``endorsing_orgs`` (org keys or MSP ids) overrides who endorses a submit; the storyboards use it
        to show a transaction that the endorsement policy refuses.
        """
        op = get_operation(op_id)
        org = self.orgs.org(org_key)
        clean = validate_args(op, args)
        arguments, transient = to_contract_arguments(op, clean)
        started = time.perf_counter()
        if op.submit:
            endorsers = self.orgs.endorsers(op, endorsing_orgs)
            result, proof = await self._submit(org, op.function, arguments, transient, endorsers)
        else:
            result, proof = await self._evaluate(org, op.function, arguments, transient), None
        return {
            "operation": op.id,
            "function": op.function,
            "kind": op.kind,
            "org": org.key,
            "msp": org.msp_id,
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
        self, org: PeerOrg, function: str, arguments: list[Any], transient: dict[str, Any] | None
    ) -> Any:
        try:
            contract = await self.gateways.contract(org)
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
    ) -> tuple[Any, dict[str, Any]]:
        try:
            contract = await self.gateways.contract(org)

            def endorse() -> Awaitable[AsyncTransaction]:
                proposal = contract.new_proposal(
                    function, arguments=arguments, transient_data=transient, endorsing_organizations=endorsers
                )
                return proposal.endorse()

            submitted, status = await self.policy.submit(endorse, org.msp_id)
        except GatewayError as err:
            raise from_gateway_error(err) from err
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
            )
        return parse_payload(submitted.result), proof
