"""The patient widget's files and settings, and a demo clinic website that embeds it with one
script tag."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel

from bot.gateway.deps import SettingsDep

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# Clinics' pages pick up a new widget version within five minutes.
WIDGET_CACHE = "public, max-age=300"

router = APIRouter(tags=["widget"])


def _file(path: Path, media_type: str, cache: str = "no-cache") -> FileResponse:
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": cache})


@router.get("/widget.js", include_in_schema=False)
async def widget_script() -> FileResponse:
    return _file(STATIC_DIR / "widget.js", "text/javascript; charset=utf-8", WIDGET_CACHE)


@router.get("/widget.css", include_in_schema=False)
async def widget_styles() -> FileResponse:
    return _file(STATIC_DIR / "widget.css", "text/css; charset=utf-8", WIDGET_CACHE)


class WidgetConfig(BaseModel):
    clinic_name: str
    clinic_phone: str
    emergency_number: str
    crisis_line: str


@router.get("/widget/config", response_model=WidgetConfig)
async def widget_config(settings: SettingsDep, response: Response) -> WidgetConfig:
    """Who the widget tells patients to call: the same numbers the assistant's answers give.
    A page's `data-clinic-phone` attribute overrides the clinic phone."""
    response.headers["Cache-Control"] = WIDGET_CACHE
    return WidgetConfig(
        clinic_name=settings.clinic_name,
        clinic_phone=settings.clinic_phone,
        emergency_number=settings.emergency_number,
        crisis_line=settings.crisis_line,
    )


@router.get("/", include_in_schema=False)
async def demo_home() -> FileResponse:
    return _file(STATIC_DIR / "demo" / "index.html", "text/html; charset=utf-8")


@router.get("/your-visit", include_in_schema=False)
async def demo_second_page() -> FileResponse:
    """A second page, to show the conversation carrying over between pages."""
    return _file(STATIC_DIR / "demo" / "your-visit.html", "text/html; charset=utf-8")


@router.get("/demo.css", include_in_schema=False)
async def demo_styles() -> FileResponse:
    return _file(STATIC_DIR / "demo" / "demo.css", "text/css; charset=utf-8")
