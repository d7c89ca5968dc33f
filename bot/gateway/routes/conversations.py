"""`DELETE /conversations/{sender_id}`: "forget me" without going through the chat.

The widget's "End chat" sends it. It needs the conversation's token, and deletes everything
kept about the conversation (bot/gateway/forget.py). The chat's own "forget me" (confirmed in
the conversation) does the same.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from bot.gateway.deps import ForgetterDep, LimitsDep, TokensDep
from bot.gateway.errors import ApiError
from bot.gateway.forget import ForgetFailed
from bot.gateway.ownership import (
    SENDER_ID_PATTERN,
    UNAUTHORIZED,
    TokenHeader,
    admit_deletion,
    web_sender_problem,
)

router = APIRouter(tags=["conversations"])


class Deleted(BaseModel):
    sender_id: str
    deleted: list[str] = Field(
        ...,
        description="What was deleted, in words.",
        example=[
            "your messages, my answers and what I remembered",
            "your call-back request and the phone number you gave",
        ],
    )


ERRORS = {
    422: {"description": "The sender id is not valid"},
    429: {"description": "Too many requests for this sender or from this address"},
    503: {"description": "A part was down; the deletion is finished later by itself"},
    **UNAUTHORIZED,
}


@router.delete("/conversations/{sender_id}", response_model=Deleted, responses=ERRORS)
async def forget_conversation(
    sender_id: Annotated[
        str, Path(pattern=SENDER_ID_PATTERN, description="The conversation id the chat used.")
    ],
    request: Request,
    tokens: TokensDep,
    forgetter: ForgetterDep,
    limits: LimitsDep,
    conversation_token: TokenHeader = None,
) -> Deleted:
    """Deletes the whole conversation (messages, answers, what the assistant remembered) and
    any nurse call-back request it sent (the copy kept here, with the phone number)."""
    problem = web_sender_problem(sender_id)
    if problem:
        raise ApiError(422, "invalid_request", f"sender_id: {problem}")
    await limits.enforce(request, sender_id, "requests")
    await admit_deletion(tokens, sender_id, conversation_token)
    try:
        forgotten = await forgetter.forget([sender_id])
    except ForgetFailed as error:
        raise ApiError(
            503,
            "store_unavailable",
            "The conversation could not be deleted completely right now. It will be, by "
            "itself; or try again in a minute.",
        ) from error
    return Deleted(sender_id=sender_id, deleted=forgotten.what)
