"""Web UI: server-rendered Jinja2 pages, small vanilla JavaScript modules, SVG graphics, English and Chinese."""

from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
