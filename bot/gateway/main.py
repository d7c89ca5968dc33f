"""The gateway: the one public door to the assistant. This module only wires things together."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from bot.gateway.admission import Admission
from bot.gateway.body_limits import BodyLimitMiddleware
from bot.gateway.chat_apps import ChatApps
from bot.gateway.conversations import ConversationStore
from bot.gateway.errors import install_error_handlers
from bot.gateway.forget import Forgetter
from bot.gateway.header_check import HeaderCheckMiddleware
from bot.gateway.idempotency import IdempotentSends
from bot.gateway.limits import ClientAddresses, Limits, parse_networks
from bot.gateway.logging_setup import configure_logging
from bot.gateway.own_replies import OwnReplies
from bot.gateway.ownership import ClientKeys
from bot.gateway.rasa_client import RasaClient
from bot.gateway.retention import Retention
from bot.gateway.routes import channels, chat, conversations, health, staff, widget
from bot.gateway.staff.insights import GatewayInsights
from bot.gateway.store_probes import StoreProbes
from bot.gateway.tokens import ConversationTokens
from bot.gc_pauses import freeze_what_is_loaded
from settings.bot import Settings, get_settings

IN_FLIGHT_MARGIN_SECONDS = 5.0


def create_app(
    settings: Settings | None = None,
    rasa: RasaClient | None = None,
    chat_apps: ChatApps | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.insights.announce()
        retention = asyncio.create_task(app.state.retention.run_forever())
        freeze_what_is_loaded()
        yield
        retention.cancel()
        await app.state.limits.close()
        await app.state.chat_apps.close()
        await app.state.rasa.close()
        await app.state.sends.close()
        app.state.conversations.close()
        app.state.insights.close()

    app = FastAPI(
        title="Bone metastasis test guide",
        description="Gateway to the assistant that explains how bone metastases are diagnosed.",
        version="1.0.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.rasa = rasa or RasaClient(
        settings.rasa_worker_urls,
        settings.action_server_url,
        settings.rasa_token,
        settings.rasa_timeout_seconds,
        stores=StoreProbes.from_settings(settings),
        admission=Admission.from_settings(settings),
    )
    app.state.limits = Limits(
        settings.rate_limit_per_minute,
        settings.rate_limit_per_address_per_minute,
        ClientAddresses(parse_networks(settings.trusted_proxies)),
        settings.redis_url,
    )
    app.state.client_keys = ClientKeys(settings.rasa_token)
    app.state.own_replies = OwnReplies.from_settings(settings)
    app.state.sends = IdempotentSends(
        # An answer takes at most Rasa's time limit, plus a moment for a "forget me".
        in_flight_seconds=settings.rasa_timeout_seconds + IN_FLIGHT_MARGIN_SECONDS,
        redis_url=settings.redis_url,
    )
    app.state.conversations = ConversationStore(settings.tracker_store_url)
    app.state.tokens = ConversationTokens(app.state.conversations)
    app.state.forgetter = Forgetter(app.state.tokens, app.state.rasa)
    app.state.retention = Retention(
        app.state.conversations,
        app.state.tokens,
        app.state.forgetter,
        settings.retention_days,
        settings.retention_job_interval_seconds,
    )
    app.state.chat_apps = chat_apps or ChatApps.from_settings(settings)
    app.state.insights = GatewayInsights(settings)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    # Outside the body limit, which reads headers first.
    app.add_middleware(HeaderCheckMiddleware)
    # Added last so it wraps the checks: their 400/413/415 answers reach other sites' widgets too.
    # The widget reads its config (GET), chats (POST) and ends a chat (DELETE); each message
    # carries its Idempotency-Key and the conversation's token, and reads a new token back.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origin_list,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Content-Type", "Idempotency-Key", "X-Conversation-Token"],
        expose_headers=["Retry-After", "X-Conversation-Token"],
        max_age=600,
    )
    install_error_handlers(app)
    app.include_router(chat.router)
    app.include_router(channels.router)
    app.include_router(conversations.router)
    app.include_router(health.router)
    app.include_router(widget.router)
    app.include_router(staff.router)
    return app
