"""Shared dependencies, as `Annotated` aliases the routes declare."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.gateway.forget import Forgetter
from bot.gateway.idempotency import IdempotentSends
from bot.gateway.limits import Limits
from bot.gateway.own_replies import OwnReplies
from bot.gateway.ownership import ClientKeys
from bot.gateway.rasa_client import RasaClient
from bot.gateway.tokens import ConversationTokens
from settings.bot import Settings


def get_rasa(request: Request) -> RasaClient:
    return request.app.state.rasa


def get_limits(request: Request) -> Limits:
    return request.app.state.limits


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_own_replies(request: Request) -> OwnReplies:
    return request.app.state.own_replies


def get_idempotent_sends(request: Request) -> IdempotentSends:
    return request.app.state.sends


def get_tokens(request: Request) -> ConversationTokens:
    return request.app.state.tokens


def get_forgetter(request: Request) -> Forgetter:
    return request.app.state.forgetter


def get_client_keys(request: Request) -> ClientKeys:
    return request.app.state.client_keys


RasaDep = Annotated[RasaClient, Depends(get_rasa)]
LimitsDep = Annotated[Limits, Depends(get_limits)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
OwnRepliesDep = Annotated[OwnReplies, Depends(get_own_replies)]
IdempotentSendsDep = Annotated[IdempotentSends, Depends(get_idempotent_sends)]
TokensDep = Annotated[ConversationTokens, Depends(get_tokens)]
ForgetterDep = Annotated[Forgetter, Depends(get_forgetter)]
ClientKeysDep = Annotated[ClientKeys, Depends(get_client_keys)]
