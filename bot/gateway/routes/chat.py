"""The REST chat endpoint: Rasa's REST channel contract, behind input checks and a rate limit."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Extra, Field, validator

from bot.gateway.conversations import ConversationStore
from bot.gateway.deps import (
    ConversationsDep,
    IdempotentSendsDep,
    InsightsDep,
    LimiterDep,
    OwnRepliesDep,
    RasaDep,
    SettingsDep,
)
from bot.gateway.forget import apply_forget_requests
from bot.gateway.idempotency import KEY_PATTERN, StoredReply
from bot.gateway.own_replies import OwnReplies
from bot.gateway.rasa_client import RasaClient, RasaTimeout, RasaUnavailable
from bot.gateway.rate_limit import enforce_rate_limit
from settings.bot import Settings

logger = logging.getLogger(__name__)
router = APIRouter(tags=["chat"])

MAX_MESSAGE_CHARS = 1000
SENDER_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"


class ChatMessage(BaseModel):
    sender: str = Field(
        ...,
        regex=SENDER_ID_PATTERN,
        description="Conversation id: 1-128 characters of letters, digits and _ . : -",
        example="patient-7f3a",
    )
    message: str = Field(
        ...,
        description="What the person typed: 1-1000 characters after trimming.",
        example="what is a bone scan?",
    )

    class Config:
        extra = Extra.forbid

    @validator("message")
    def message_length(cls, value: str) -> str:
        value = value.strip()
        if not 1 <= len(value) <= MAX_MESSAGE_CHARS:
            raise ValueError(f"must be 1-{MAX_MESSAGE_CHARS} characters after trimming")
        return value


ERRORS = {
    413: {"description": "Body larger than the limit"},
    415: {"description": "Body is not JSON"},
    422: {"description": "Sender id, message or Idempotency-Key is invalid"},
    429: {"description": "Too many messages from this sender"},
}


@router.post("/webhooks/rest/webhook", responses=ERRORS, response_model=list[dict[str, Any]])
async def rest_webhook(
    body: ChatMessage,
    rasa: RasaDep,
    limiter: LimiterDep,
    settings: SettingsDep,
    conversations: ConversationsDep,
    own_replies: OwnRepliesDep,
    sends: IdempotentSendsDep,
    insights: InsightsDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            regex=KEY_PATTERN,
            description="Resending a message with the same key within two minutes gets the "
            "first reply back; the assistant acts on it once. 1-64 letters, digits, _ and -.",
        ),
    ] = None,
) -> JSONResponse:
    """Send one message; get the bot's replies as Rasa's REST list of text, buttons, custom.

    Always answers 200 with at least one reply once the message is accepted: if the assistant
    fails, the gateway answers itself (a `custom` item `{"gateway_reply": ...}` says so).
    """
    enforce_rate_limit(limiter, body.sender, "messages")
    if settings.log_message_text:
        logger.debug("message from %s: %r", body.sender, body.message)

    async def answer() -> StoredReply:
        replies = await _ask_assistant(body, rasa, settings, conversations, own_replies)
        # Rasa counts the turns it finishes; the ones the gateway answered itself, it cannot.
        await insights.note_own_replies(replies)
        return StoredReply(200, replies)

    reply = await (sends.run(body.sender, idempotency_key, answer) if idempotency_key else answer())
    return JSONResponse(reply.body, status_code=reply.status)


async def _ask_assistant(
    body: ChatMessage,
    rasa: RasaClient,
    settings: Settings,
    conversations: ConversationStore,
    own_replies: OwnReplies,
) -> list[dict[str, Any]]:
    signs = own_replies.warning_signs(body.message)
    # A warning sign gets an answer well before the widget gives up, from Rasa or from here.
    deadline = (
        settings.red_flag_timeout_seconds if signs is not None else settings.rasa_timeout_seconds
    )
    try:
        replies = await rasa.send_message_waiting_at_most(body.sender, body.message, deadline)
    except RasaTimeout:
        logger.warning("Rasa did not answer within %.1f s", deadline)
        replies = []
    except RasaUnavailable as error:
        logger.warning("Rasa unavailable: %s", error)
        replies = []
    else:
        if replies:
            return await apply_forget_requests(replies, body.sender, conversations)
        # Rasa does this when an action fails (the action server is down, for one).
        logger.warning("Rasa answered with no message")
    if signs is not None:
        # Logged: an operator must know that the assistant failed a person with a warning sign.
        logger.warning("a message with a warning sign got the gateway's own emergency reply")
        return own_replies.red_flag(body.sender, signs)
    return own_replies.unavailable(body.sender)
