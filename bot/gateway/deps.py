"""Shared dependencies, as `Annotated` aliases the routes declare.

They are `async def`: FastAPI runs a plain `def` dependency in a thread pool, a hand-off to a
thread and back for each one on every request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.gateway.forget import Forgetter
from bot.gateway.idempotency import IdempotentSends
from bot.gateway.limits import Limits
from bot.gateway.own_replies import OwnReplies
from bot.gateway.ownership import ClientKeys
from bot.gateway.rasa_client import RasaClient
from bot.gateway.staff.insights import GatewayInsights
from bot.gateway.tokens import ConversationTokens
from settings.bot import Settings


async def get_rasa(request: Request) -> RasaClient:
    return request.app.state.rasa


async def get_limits(request: Request) -> Limits:
    return request.app.state.limits


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_own_replies(request: Request) -> OwnReplies:
    return request.app.state.own_replies


async def get_idempotent_sends(request: Request) -> IdempotentSends:
    return request.app.state.sends


async def get_tokens(request: Request) -> ConversationTokens:
    return request.app.state.tokens


async def get_forgetter(request: Request) -> Forgetter:
    return request.app.state.forgetter


async def get_client_keys(request: Request) -> ClientKeys:
    return request.app.state.client_keys


async def get_insights(request: Request) -> GatewayInsights:
    return request.app.state.insights


RasaDep = Annotated[RasaClient, Depends(get_rasa)]
LimitsDep = Annotated[Limits, Depends(get_limits)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
OwnRepliesDep = Annotated[OwnReplies, Depends(get_own_replies)]
IdempotentSendsDep = Annotated[IdempotentSends, Depends(get_idempotent_sends)]
TokensDep = Annotated[ConversationTokens, Depends(get_tokens)]
ForgetterDep = Annotated[Forgetter, Depends(get_forgetter)]
ClientKeysDep = Annotated[ClientKeys, Depends(get_client_keys)]
InsightsDep = Annotated[GatewayInsights, Depends(get_insights)]
