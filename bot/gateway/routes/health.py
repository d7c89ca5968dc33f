"""`/healthz`: 200 only when Rasa has a model loaded, the action server answers and the stores
the Rasa workers share (Redis, PostgreSQL), when configured, answer too. It also tells the
load: messages in flight at each worker and how many this process answered busy."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.gateway.deps import RasaDep

router = APIRouter(tags=["health"])


@router.get("/healthz", responses={503: {"description": "A part is down; the body names it"}})
async def healthz(rasa: RasaDep) -> JSONResponse:
    workers, actions, stores, load = await asyncio.gather(
        rasa.worker_statuses(), rasa.actions_status(), rasa.store_statuses(), rasa.load()
    )
    # Any live worker can answer every conversation, so one with a model is enough for 200.
    model = next((worker for worker in workers if worker.ok), workers[0])
    body = {
        "rasa": "ok" if model.ok else model.detail,
        "model": model.detail if model.ok else None,
        "actions": "ok" if actions.ok else actions.detail,
    }
    if len(workers) > 1:
        body["workers"] = ["ok" if worker.ok else worker.detail for worker in workers]
    body.update({name: status.detail for name, status in stores.items()})
    if load is not None:
        body["load"] = load
    healthy = model.ok and actions.ok and all(status.ok for status in stores.values())
    return JSONResponse(body, status_code=200 if healthy else 503)
