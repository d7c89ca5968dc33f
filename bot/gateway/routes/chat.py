"""The REST chat endpoint: Rasa's REST channel contract, behind input checks, rate limits and
the conversation's token (bot/gateway/ownership.py)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Extra, Field, validator

from bot.gateway.admission import Busy, busy_error
from bot.gateway.deps import (
    ClientKeysDep,
    ForgetterDep,
    IdempotentSendsDep,
    InsightsDep,
    LimitsDep,
    OwnRepliesDep,
    RasaDep,
    SettingsDep,
    TokensDep,
)
from bot.gateway.forget import Forgetter, apply_forget_requests
from bot.gateway.idempotency import KEY_PATTERN, StoredReply
from bot.gateway.own_replies import OwnReplies
from bot.gateway.ownership import (
    SENDER_ID_PATTERN,
    UNAUTHORIZED,
    TokenHeader,
    admit_message,
    answer_as_owner,
    web_sender_problem,
)
from bot.gateway.rasa_client import RasaClient, RasaTimeout, RasaUnavailable
from settings.bot import Settings

logger = logging.getLogger(__name__)
router = APIRouter(tags=["chat"])

MAX_MESSAGE_CHARS = 1000


class ChatMessage(BaseModel):
    sender: str = Field(
        ...,
        regex=SENDER_ID_PATTERN,
        description="Conversation id: 1-128 characters of letters, digits and _ . -, made at "
        "random by the browser (Slack and Teams ids are refused)",
        example="web-7f3a9c0e5b214d6f",
    )
    message: str = Field(
        ...,
        description="What the person typed: 1-1000 characters after trimming.",
        example="what is a bone scan?",
    )

    class Config:
        extra = Extra.forbid

    @validator("sender")
    def sender_is_a_web_id(cls, value: str) -> str:
        problem = web_sender_problem(value)
        if problem:
            raise ValueError(problem)
        return value

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
    429: {"description": "Too many messages from this sender or this address"},
    503: {"description": "The assistant is busy; Retry-After says when to send it again"},
    **UNAUTHORIZED,
}


@router.post("/webhooks/rest/webhook", responses=ERRORS, response_model=list[dict[str, Any]])
async def rest_webhook(
    body: ChatMessage,
    request: Request,
    rasa: RasaDep,
    limits: LimitsDep,
    settings: SettingsDep,
    tokens: TokensDep,
    forgetter: ForgetterDep,
    client_keys: ClientKeysDep,
    own_replies: OwnRepliesDep,
    sends: IdempotentSendsDep,
    insights: InsightsDep,
    conversation_token: TokenHeader = None,
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

    The first reply of a new conversation carries an `X-Conversation-Token` header: send it
    back with every later message (and the deletion) of that sender id, or get a 401.
    Always answers 200 with at least one reply once the message is accepted: if the assistant
    fails, the gateway answers itself (a `custom` item `{"gateway_reply": ...}` says so).
    """
    address = await limits.enforce(request, body.sender, "messages")
    signs = own_replies.warning_signs(body.message)
    if signs is None and rasa.turns_away_at_once():
        raise busy_error()
    admission = await admit_message(tokens, body.sender, conversation_token, idempotency_key)
    if settings.log_message_text:
        logger.debug("message from %s: %r", body.sender, body.message)
    metadata = client_keys.metadata(address)

    async def answer() -> StoredReply:
        reply = await answer_as_owner(
            admission,
            tokens,
            forgetter,
            lambda after: _ask_assistant(
                body, signs, rasa, settings, forgetter, own_replies, metadata, after
            ),
            lambda: _own_reply(body, own_replies, signs),
        )
        # Rasa counts the turns it finishes; the ones the gateway answered itself, it cannot.
        if reply.status == 200:
            await insights.note_own_replies(reply.body)
        return reply

    reply = await (sends.run(body.sender, idempotency_key, answer) if idempotency_key else answer())
    return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)


async def _ask_assistant(
    body: ChatMessage,
    signs: list[str] | None,
    rasa: RasaClient,
    settings: Settings,
    forgetter: Forgetter,
    own_replies: OwnReplies,
    metadata: dict[str, str],
    after: Callable[[], Awaitable[None]],
) -> list[dict[str, Any]]:
    # A warning sign gets an answer well before the widget gives up, from Rasa or from here.
    deadline = (
        settings.red_flag_timeout_seconds if signs is not None else settings.rasa_timeout_seconds
    )
    try:
        replies = await rasa.send_message_waiting_at_most(
            body.sender, body.message, deadline, metadata, after, urgent=signs is not None
        )
    except Busy:
        # Past capacity: turned away at once, except a warning sign, which is answered here.
        if signs is None:
            raise busy_error() from None
        replies = []
    except RasaTimeout:
        logger.warning("Rasa did not answer within %.1f s", deadline)
        replies = []
    except RasaUnavailable as error:
        logger.warning("Rasa unavailable: %s", error)
        replies = []
    else:
        if replies:
            return await apply_forget_requests(
                replies, body.sender, forgetter, settings.clinic_phone
            )
        # Rasa does this when an action fails (the action server is down, for one).
        logger.warning("Rasa answered with no message")
    return _own_reply(body, own_replies, signs)


def _own_reply(
    body: ChatMessage, own_replies: OwnReplies, signs: list[str] | None
) -> list[dict[str, Any]]:
    if signs is not None:
        # Logged: an operator must know that the assistant failed a person with a warning sign.
        logger.warning("a message with a warning sign got the gateway's own emergency reply")
        return own_replies.red_flag(body.sender, signs)
    return own_replies.unavailable(body.sender)
