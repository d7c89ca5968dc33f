"""Shared dependencies, as `Annotated` aliases the routes declare."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.gateway.conversations import ConversationStore
from bot.gateway.rasa_client import RasaClient
from bot.gateway.rate_limit import RateLimiter
from settings.bot import Settings


def get_rasa(request: Request) -> RasaClient:
    return request.app.state.rasa


def get_limiter(request: Request) -> RateLimiter:
    return request.app.state.limiter


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_conversations(request: Request) -> ConversationStore:
    return request.app.state.conversations


RasaDep = Annotated[RasaClient, Depends(get_rasa)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
ConversationsDep = Annotated[ConversationStore, Depends(get_conversations)]
