"""`DELETE /conversations/{sender_id}`: "forget me" without going through the chat.

The chat's own "forget me" (confirmed in the conversation) is carried out by bot/forget.py.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from bot.gateway.conversations import ConversationStoreUnavailable
from bot.gateway.deps import ConversationsDep, LimiterDep
from bot.gateway.errors import ApiError
from bot.gateway.rate_limit import enforce_rate_limit
from bot.gateway.routes.chat import SENDER_ID_PATTERN

router = APIRouter(tags=["conversations"])


class Deleted(BaseModel):
    sender_id: str
    deleted_events: int


ERRORS = {
    422: {"description": "The sender id is not valid"},
    429: {"description": "Too many requests for this sender"},
    503: {"description": "The conversation store is not available"},
}


@router.delete("/conversations/{sender_id}", response_model=Deleted, responses=ERRORS)
async def forget_conversation(
    sender_id: Annotated[
        str, Path(pattern=SENDER_ID_PATTERN, description="The conversation id the chat used.")
    ],
    store: ConversationsDep,
    limiter: LimiterDep,
) -> Deleted:
    """Deletes the whole conversation (messages, answers, remembered context) at once."""
    enforce_rate_limit(limiter, sender_id, "requests")
    try:
        events = await run_in_threadpool(store.delete, sender_id)
    except ConversationStoreUnavailable as error:
        raise ApiError(
            503,
            "store_unavailable",
            "The conversation could not be deleted right now. Please try again in a minute.",
        ) from error
    return Deleted(sender_id=sender_id, deleted_events=events)
