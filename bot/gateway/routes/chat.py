"""The REST chat endpoint: Rasa's REST channel contract, behind input checks and a rate limit."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Extra, Field, validator

from bot.gateway.deps import ConversationsDep, LimiterDep, RasaDep, SettingsDep
from bot.gateway.errors import ApiError
from bot.gateway.forget import apply_forget_requests
from bot.gateway.rasa_client import RasaTimeout, RasaUnavailable
from bot.gateway.rate_limit import enforce_rate_limit

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
    422: {"description": "Sender id or message is invalid"},
    429: {"description": "Too many messages from this sender"},
    503: {"description": "The assistant is not available"},
    504: {"description": "The assistant took too long to answer"},
}


@router.post("/webhooks/rest/webhook", responses=ERRORS, response_model=list[dict[str, Any]])
async def rest_webhook(
    body: ChatMessage,
    rasa: RasaDep,
    limiter: LimiterDep,
    settings: SettingsDep,
    conversations: ConversationsDep,
) -> list[dict[str, Any]]:
    """Send one message; get the bot's replies as Rasa's REST list of text, buttons, custom."""
    enforce_rate_limit(limiter, body.sender, "messages")
    if settings.log_message_text:
        logger.debug("message from %s: %r", body.sender, body.message)
    try:
        replies = await rasa.send_message(body.sender, body.message)
    except RasaTimeout as error:
        raise ApiError(
            504, "assistant_timeout", "The assistant took too long to answer. Please try again."
        ) from error
    except RasaUnavailable as error:
        logger.warning("Rasa unavailable: %s", error)
        raise ApiError(
            503,
            "assistant_unavailable",
            "The assistant is not available right now. Please try again in a minute.",
        ) from error
    return await apply_forget_requests(replies, body.sender, conversations)
