"""What the routes are handed, declared once: the ledger service, the network, the presenter session.

``create_app`` puts the process's one ``FabricNetwork`` and the ``LedgerService`` over it on
``app.state``; routes never read ``app.state`` themselves but declare what they need::

    async def lots(service: ServiceDep) -> ...

Tests swap any of them with ``app.dependency_overrides[get_service] = lambda: fake``. The presenter
session is built on first use from the (possibly overridden) service and network, then kept.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request

from fabdemo.api.config import AppConfig
from fabdemo.network.manager import FabricNetwork
from fabdemo.service import LedgerService
from fabdemo.settings import Settings
from fabdemo.storyboard.control import FabricControl
from fabdemo.storyboard.engine import StoryEngine
from fabdemo.storyboard.presenter import PresenterSession


def get_service(request: Request) -> LedgerService:
    return request.app.state.service


def get_network(request: Request) -> FabricNetwork:
    return request.app.state.network


def get_config(request: Request) -> AppConfig:
    return request.app.state.config


def public_base(request: Request, config: Annotated[AppConfig, Depends(get_config)]) -> str:
    """The URL the room reaches this app at (the LAN address in room mode) for QR codes and links."""
    return config.lan_url if config.room_mode else str(request.base_url).rstrip("/")


ServiceDep = Annotated[LedgerService, Depends(get_service)]
NetworkDep = Annotated[FabricNetwork, Depends(get_network)]
ConfigDep = Annotated[AppConfig, Depends(get_config)]
PublicBaseDep = Annotated[str, Depends(public_base)]


def build_presenter(service: LedgerService, network: FabricNetwork, settings: Settings) -> PresenterSession:
    """The live presentation: storyboards run through ``service``, node control over ``network``."""
    root = settings.repo_root
    return PresenterSession(StoryEngine(service, FabricControl(network, root), root), root / "demos")


def presenter_of(app: FastAPI, service: LedgerService, network: FabricNetwork) -> PresenterSession:
    """The app's one presenter session, built on first use."""
    if getattr(app.state, "presenter", None) is None:
        app.state.presenter = build_presenter(service, network, app.state.settings)
    return app.state.presenter


def get_presenter(request: Request, service: ServiceDep, network: NetworkDep) -> PresenterSession:
    return presenter_of(request.app, service, network)


PresenterDep = Annotated[PresenterSession, Depends(get_presenter)]
