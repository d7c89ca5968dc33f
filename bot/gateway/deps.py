"""Shared dependencies, as `Annotated` aliases the routes declare."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.gateway.conversations import ConversationStore
from bot.gateway.idempotency import IdempotentSends
from bot.gateway.own_replies import OwnReplies
from bot.gateway.rasa_client import RasaClient
from bot.gateway.rate_limit import RateLimiter
from bot.gateway.staff.insights import GatewayInsights
from settings.bot import Settings


def get_rasa(request: Request) -> RasaClient:
    return request.app.state.rasa


def get_limiter(request: Request) -> RateLimiter:
    return request.app.state.limiter


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_conversations(request: Request) -> ConversationStore:
    return request.app.state.conversations


def get_own_replies(request: Request) -> OwnReplies:
    return request.app.state.own_replies


def get_idempotent_sends(request: Request) -> IdempotentSends:
    return request.app.state.sends


def get_insights(request: Request) -> GatewayInsights:
    return request.app.state.insights


RasaDep = Annotated[RasaClient, Depends(get_rasa)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
ConversationsDep = Annotated[ConversationStore, Depends(get_conversations)]
OwnRepliesDep = Annotated[OwnReplies, Depends(get_own_replies)]
IdempotentSendsDep = Annotated[IdempotentSends, Depends(get_idempotent_sends)]
InsightsDep = Annotated[GatewayInsights, Depends(get_insights)]
