"""REST API and web app of the demo kit (FastAPI)."""

from fabdemo.api.app import create_app

__all__ = ["create_app"]
