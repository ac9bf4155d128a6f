"""The console for any deployed contract: ``/contracts`` (the list) and ``/contracts/<name>``.

The page is generated from the chaincode's own metadata (``service/anycontract.py``, the same model the
REST endpoints and ``fabdemo cc-client`` use): a typed form per transaction, acting as any member org,
transient data for private inputs, the result with its ledger proof, and the contract's events, polled
live by ``static/contracts.js``.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from fabdemo.api.contract_routes import describe
from fabdemo.web.pages import PageDep

router = APIRouter(include_in_schema=False)

INPUT_TYPES = {"integer": "number", "number": "number", "boolean": "checkbox"}


@router.get("/contracts", response_class=HTMLResponse)
async def contracts(page: PageDep) -> Response:
    deployed = list(page.service.anycontracts.deployed())
    return page.render("contracts.html", contracts=deployed, own=page.service.topology.chaincode.name)


@router.get("/contracts/{name}", response_class=HTMLResponse)
async def contract_console(page: PageDep, name: str) -> Response:
    metadata = describe(await page.service.anycontracts.metadata(name))
    return page.render("contract.html", contract=metadata, input_types=INPUT_TYPES)
