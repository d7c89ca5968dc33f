"""The gateway: the one public door to the assistant. This module only wires things together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.body_limits import BodyLimitMiddleware
from bot.errors import install_error_handlers
from bot.logging_setup import configure_logging
from bot.rasa_client import RasaClient
from bot.rate_limit import RateLimiter
from bot.routes import chat, health
from bot.settings import Settings, get_settings


def create_app(settings: Settings | None = None, rasa: RasaClient | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await app.state.rasa.close()

    app = FastAPI(
        title="Bone metastasis test guide",
        description="Gateway to the assistant that explains how bone metastases are diagnosed.",
        version="1.0.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.rasa = rasa or RasaClient(
        settings.rasa_url,
        settings.action_server_url,
        settings.rasa_token,
        settings.rasa_timeout_seconds,
    )
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    install_error_handlers(app)
    app.include_router(chat.router)
    app.include_router(health.router)
    return app
