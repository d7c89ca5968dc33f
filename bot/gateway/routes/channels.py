"""The Slack and Teams webhooks: verified here, acknowledged at once, relayed to Rasa.

A request that fails its check gets 401 and never reaches Rasa. With nothing configured, each
webhook answers 503, so the assistant runs without any Slack or Teams setup.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from bot.channels.slack.signature import SlackRequestRefused, check_signature
from bot.channels.teams.auth import KeysUnavailable, TokenRefused, bearer_token
from bot.gateway.chat_apps import ChatApps
from bot.gateway.errors import ApiError

logger = logging.getLogger(__name__)
router = APIRouter(tags=["chat apps"])

SLACK_PATH = "/webhooks/slack/webhook"
# Slash commands come to SLACK_PATH too (one request URL for the whole app) and go on to the
# Rasa connector's own route for them.
SLACK_COMMAND_PATH = "/webhooks/slack/command"
TEAMS_PATH = "/webhooks/botframework/webhook"
# What Rasa's Slack connector needs to check the signature again. Slack's retry headers stay
# behind: the gateway has already decided that this delivery is new.
SLACK_RELAYED_HEADERS = ("content-type", "x-slack-signature", "x-slack-request-timestamp")


def get_chat_apps(request: Request) -> ChatApps:
    return request.app.state.chat_apps


ChatAppsDep = Annotated[ChatApps, Depends(get_chat_apps)]

COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body is not what this chat app sends"},
    401: {"description": "The request could not be verified; nothing reached the assistant"},
    413: {"description": "Body larger than the limit"},
}


def slack_payload(body: bytes, content_type: str) -> dict[str, Any]:
    """Events come as JSON; button clicks as a form whose `payload` field holds JSON; slash
    commands as a plain form (with `command`)."""
    try:
        if content_type == "application/x-www-form-urlencoded":
            form = {name: values[0] for name, values in parse_qs(body.decode()).items()}
            payload = form if "command" in form else json.loads(form["payload"])
        else:
            payload = json.loads(body)
    except (ValueError, KeyError, UnicodeDecodeError) as error:
        raise ApiError(400, "invalid_body", "The body is not a Slack event.") from error
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_body", "The body is not a Slack event.")
    return payload


def slack_conversation(payload: dict[str, Any]) -> str:
    """Who and where, so one person's messages in one channel go to the same Rasa worker."""
    event = payload.get("event") or {}
    user = event.get("user") or (payload.get("user") or {}).get("id") or payload.get("user_id")
    channel = (
        event.get("channel")
        or (payload.get("channel") or {}).get("id")
        or payload.get("channel_id")
    )
    return f"{user or ''}:{channel or ''}"


def teams_activity(body: bytes) -> dict[str, Any]:
    try:
        activity = json.loads(body)
    except ValueError as error:
        raise ApiError(400, "invalid_body", "The body is not a Bot Framework activity.") from error
    if not isinstance(activity, dict):
        raise ApiError(400, "invalid_body", "The body is not a Bot Framework activity.")
    return activity


@router.post(
    SLACK_PATH,
    responses={**COMMON_ERRORS, 503: {"description": "Slack is not configured"}},
    response_class=Response,
)
async def slack_webhook(request: Request, apps: ChatAppsDep) -> Response:
    """Slack's Events API, interactivity (button clicks) and slash command endpoint."""
    if not apps.slack_signing_secret:
        raise ApiError(503, "slack_not_configured", "Slack is not set up on this server.")
    body = await request.body()
    try:
        check_signature(
            apps.slack_signing_secret,
            request.headers.get("x-slack-request-timestamp"),
            request.headers.get("x-slack-signature"),
            body,
        )
    except SlackRequestRefused as refused:
        logger.info("Slack request refused: %s", refused.reason)
        raise ApiError(401, "invalid_slack_signature", refused.reason) from refused
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    payload = slack_payload(body, content_type)
    if payload.get("type") == "url_verification":
        return JSONResponse({"challenge": payload.get("challenge")})
    # Button clicks have no event id; Slack does not retry them.
    if not apps.slack_deliveries.first_delivery(payload.get("event_id")):
        logger.info(
            "Slack retry %s of %s not answered again",
            request.headers.get("x-slack-retry-num"),
            payload.get("event_id"),
        )
        return Response(status_code=200, headers={"X-Slack-No-Retry": "1"})
    headers = {h: request.headers[h] for h in SLACK_RELAYED_HEADERS if h in request.headers}
    path = SLACK_COMMAND_PATH if "command" in payload else SLACK_PATH
    apps.relay.relay(path, body, headers, conversation=slack_conversation(payload))
    return Response(status_code=200)


@router.post(
    TEAMS_PATH,
    status_code=202,
    responses={**COMMON_ERRORS, 503: {"description": "Teams is not configured or unverifiable"}},
    response_class=Response,
)
async def teams_webhook(request: Request, apps: ChatAppsDep) -> Response:
    """The Azure Bot's messaging endpoint (Microsoft Teams)."""
    if apps.teams is None:
        raise ApiError(503, "teams_not_configured", "Teams is not set up on this server.")
    authorization = request.headers.get("authorization")
    body = await request.body()
    try:
        token = bearer_token(authorization)
        activity = teams_activity(body)
        await apps.teams.verify(token, activity)
    except TokenRefused as refused:
        logger.info("Teams request refused: %s", refused.reason)
        raise ApiError(401, "invalid_teams_token", refused.reason) from refused
    except KeysUnavailable as error:
        raise ApiError(
            503, "teams_keys_unavailable", "Could not check the token now; try again later."
        ) from error
    apps.relay.relay(
        TEAMS_PATH,
        body,
        {"content-type": "application/json", "authorization": authorization},
        conversation=str((activity.get("conversation") or {}).get("id", "")),
    )
    return Response(status_code=202)
