"""The privacy criterion: the farm cannot learn a processor-retailer price by any path it has.

The same checks as tests/api/test_privacy.py, through the service layer (the code path of the UI and
the REST API): the processor records a price with a distinctive unit price, a secret note and a salt;
every answer the farm can obtain (the contract's reads, the price views, its chaincode events, the full
block on its own peer) is searched for them. Each search has a positive control (the processor does
see the price; the farm's block does hold the public price hash), so a search of the wrong thing cannot
pass. The measured value is the number of paths that leaked.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from fabdemo.service.errors import ServiceError
from fabdemo.service.ledger import LedgerService


async def _until(action, attempts: int = 20, codes: tuple[str, ...] | None = None):
    """Retry while the answer is a refusal that only lag explains (a cross-org read right after a write, see
    architecture.md; endorsers not yet in a restarted peer's discovery view). ``codes``: only those."""
    for attempt in range(attempts):
        try:
            return await action()
        except ServiceError as err:
            if attempt == attempts - 1 or (codes is not None and err.code not in codes):
                raise
            await asyncio.sleep(0.25 * min(attempt + 1, 4))
    return None


async def measure(
    service: LedgerService, product_id: str, farm: str = "farm", processor: str = "processor"
) -> dict[str, Any]:
    lot = f"POC-PRIV-{uuid.uuid4().hex[:10]}"
    secret_price = "987654.321"
    secret_note = f"SECRET-NOTE-{uuid.uuid4().hex}"
    salt = uuid.uuid4().hex
    secrets = (secret_price.encode(), secret_note.encode(), salt.encode())

    await service.perform(farm, "harvest", {**service.defaults("harvest", farm), "lotId": lot, "productId": product_id})
    to_msp = service.org(processor).msp_id
    await service.perform(
        farm, "propose_transfer", {**service.defaults("propose_transfer", farm), "lotId": lot, "toMsp": to_msp}
    )
    await _until(lambda: service.perform(processor, "accept_transfer", {"lotId": lot}))
    price_args = {
        **service.defaults("set_price", processor),
        "lotId": lot,
        "unitPrice": float(secret_price),
        "terms": secret_note,
        "salt": salt,
    }
    # NETWORK_UNAVAILABLE before endorsement ("no endorsing peers") sent nothing: safe to send again.
    priced = await _until(lambda: service.perform(processor, "set_price", price_args), codes=("NETWORK_UNAVAILABLE",))
    block_number = priced["proof"]["blockNumber"]

    paths: list[dict[str, Any]] = []
    controls: list[dict[str, Any]] = []

    def search(where: tuple[str, str], data: bytes | str) -> None:
        raw = data.encode() if isinstance(data, str) else data
        paths.append({"path": where[0], "path_zh": where[1], "leaked": any(s in raw for s in secrets)})

    def control(what: str, ok: bool) -> None:
        controls.append({"control": what, "ok": ok})

    seen = await service.query(processor, "get_price", {"lotId": lot})
    control("the processor reads the price (GetPrice)", secret_note in json.dumps(seen))
    price_hash = (seen or {}).get("hash", "")

    try:
        refused = await service.query(farm, "get_price", {"lotId": lot})
        search(("GetPrice as the farm (must be refused)", "农场调用 GetPrice（应被拒绝）"), json.dumps(refused))
        paths[-1]["leaked"] = True  # answered at all: a leak of the record, whatever it holds
    except ServiceError as err:
        search(("GetPrice as the farm: the refusal", "农场调用 GetPrice：拒绝信息"), json.dumps(err.to_dict()))
        control("the contract refuses the farm (FORBIDDEN)", err.code == "FORBIDDEN")
    for op in ("get_lot", "lot_events", "lot_history", "trace"):
        answer = json.dumps(await _until(lambda op=op: service.query(farm, op, {"lotId": lot})))
        search((f"{op} as the farm", f"农场调用 {op}"), answer)
        control(f"{op} shows the public price hash", bool(price_hash) and price_hash in answer)
    views = {v["org"]: v for v in await service.reads.price_views(lot)}
    search(("price views: the farm's", "价格视图：农场视角"), json.dumps(views.get(farm, {})))
    control("the price views show it to the processor", secret_note in json.dumps(views.get(processor, {})))

    channel = await service.gateways.channel(service.org(farm))
    cc_name = service.topology.chaincode.name
    async with channel.get_chaincode_events(cc_name, start_block=block_number, timeout=10) as events:
        async for event in events:
            if event.event_name == "PriceRecorded" and lot.encode() in event.payload:
                search(("the farm's PriceRecorded chaincode event", "农场收到的 PriceRecorded 链码事件"), event.payload)
                control("the farm's event holds the price hash", price_hash.encode() in event.payload)
                break
    async with channel.get_raw_block_events(start_block=block_number, timeout=10) as blocks:
        async for block in blocks:
            raw = block.SerializeToString()
            search(("the full block on the farm's peer", "农场 Peer 上的完整区块"), raw)
            control("the farm's block holds the public price hash", price_hash.encode() in raw)
            break
    return {
        "lot": lot,
        "paths_checked": len(paths),
        "leaks": sum(p["leaked"] for p in paths),
        "controls": len(controls),
        "controls_failed": sum(not c["ok"] for c in controls),
        "paths": paths,
        "control_results": controls,
    }
