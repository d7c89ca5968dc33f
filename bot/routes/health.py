"""`/healthz`: 200 only when Rasa has a model loaded and the action server answers."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.deps import RasaDep

router = APIRouter(tags=["health"])


@router.get("/healthz", responses={503: {"description": "A part is down; the body names it"}})
async def healthz(rasa: RasaDep) -> JSONResponse:
    model, actions = await asyncio.gather(rasa.model_status(), rasa.actions_status())
    body = {
        "rasa": "ok" if model.ok else model.detail,
        "model": model.detail if model.ok else None,
        "actions": "ok" if actions.ok else actions.detail,
    }
    return JSONResponse(body, status_code=200 if model.ok and actions.ok else 503)
