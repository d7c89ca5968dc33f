"""A website conversation belongs to its browser: the steps the chat and delete routes take.

- Sender ids: what the widget makes (letters, digits, `_ . -`), never an id of the kind Rasa's
  Slack or Teams connectors give, whose conversations are the nurses'.
- Tokens: a message is let in with its conversation's token, or as the start of a new one,
  whose reply then carries the token (bot/gateway/tokens.py). Refusals are one 401, whatever
  the reason.
- A deletion racing a message: once Rasa is done with the message, the gateway checks that the
  conversation was not deleted meanwhile; if it was, the message may have saved it back, so it
  is deleted again and the message gets the 401 (bot/gateway/forget.py).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Header
from fastapi.concurrency import run_in_threadpool

from bot.gateway.conversations import ConversationStoreUnavailable
from bot.gateway.errors import ApiError, error_body
from bot.gateway.forget import Forgetter
from bot.gateway.idempotency import StoredReply
from bot.gateway.tokens import REFUSAL, TOKEN_HEADER, Admission, ConversationTokens, TokenRefused

logger = logging.getLogger(__name__)

SENDER_ID_PATTERN = r"^[A-Za-z0-9_.-]{1,128}$"
# Ids Rasa's Slack connector gives (user, user_channel, user_channel_thread). Teams ids all
# have a colon ("29:..."), which the pattern above leaves out.
CHAT_APP_SENDER = re.compile(r"[UWB][A-Z0-9]{6,}(_[A-Z0-9]{6,}(_\d+\.\d+)?)?")
# Rasa's REST metadata key for the hashed client address, which the action server's limit on
# nurse alerts counts by (actions/handoff.py).
CLIENT_METADATA = "web_client"
UNAUTHORIZED = {401: {"description": f"Missing or wrong {TOKEN_HEADER}"}}

TokenHeader = Annotated[
    str | None,
    Header(
        alias=TOKEN_HEADER,
        description="The token that came, in this same header, with the first reply of this "
        "conversation. Required on every later message and on its deletion; the first "
        "message of a new conversation (a new sender id) sends none.",
    ),
]
Replies = list[dict[str, Any]]


def web_sender_problem(sender: str) -> str | None:
    """Why `sender` cannot be a website conversation id, or None when it can."""
    if not re.fullmatch(SENDER_ID_PATTERN, sender):
        return "must be 1-128 characters of letters, digits and _ . -"
    if CHAT_APP_SENDER.fullmatch(sender):
        return "looks like a Slack or Teams id, which the website chat does not take"
    return None


def refused() -> ApiError:
    return ApiError(401, "unauthorized", REFUSAL, headers={"WWW-Authenticate": TOKEN_HEADER})


def _refusal_reply() -> StoredReply:
    error = refused()
    return StoredReply(401, error_body(error.code, error.detail), error.headers)


class ClientKeys:
    """The client's address as an opaque key for the action server: keyed (HMAC), so that the
    conversation store, where Rasa keeps message metadata, holds no address."""

    def __init__(self, secret: str) -> None:
        self._secret = (secret or secrets.token_urlsafe(32)).encode()

    def metadata(self, address: str) -> dict[str, str]:
        key = hmac.new(self._secret, address.encode(), hashlib.sha256).hexdigest()[:32]
        return {CLIENT_METADATA: key}


async def admit_message(
    tokens: ConversationTokens, sender: str, token: str | None, idempotency_key: str | None
) -> Admission | None:
    """The message let in (ApiError 401 if not); None when the store cannot tell."""
    known = tokens.admitted_before(sender, token, idempotency_key)
    if known is not None:
        return known
    try:
        return await tokens.store.read(tokens.admit, sender, token, idempotency_key)
    except TokenRefused:
        raise refused() from None
    except ConversationStoreUnavailable as error:
        logger.warning("conversation store unavailable: %s", error)
        return None


async def admit_deletion(tokens: ConversationTokens, sender: str, token: str | None) -> None:
    try:
        await tokens.store.read(tokens.admit_deletion, sender, token)
    except TokenRefused:
        raise refused() from None
    except ConversationStoreUnavailable as error:
        raise ApiError(
            503,
            "store_unavailable",
            "The conversation could not be deleted right now. Please try again in a minute.",
        ) from error


async def answer_as_owner(
    admission: Admission | None,
    tokens: ConversationTokens,
    forgetter: Forgetter,
    ask: Callable[[Callable[[], Awaitable[None]]], Awaitable[Replies]],
    own_reply: Callable[[], Replies],
) -> StoredReply:
    """The reply to a message let in: `ask(after)` asks the assistant, which calls `after`
    once Rasa is done with the message; `own_reply()` is the gateway's, when the store is down
    (no token can be checked, and Rasa, on the same store, could not answer well)."""
    if admission is None:
        return StoredReply(200, own_reply())
    token, headers = admission.token, {}
    if token is None:
        try:
            token = await run_in_threadpool(tokens.issue, admission)
        except TokenRefused:
            return _refusal_reply()
        except ConversationStoreUnavailable as error:
            logger.warning("conversation store unavailable: %s", error)
            return StoredReply(200, own_reply())
        headers[TOKEN_HEADER] = token
    ours = True

    async def check_still_ours() -> None:
        nonlocal ours
        ours = await forgetter.still_ours(admission.sender, token)

    try:
        replies = await ask(check_still_ours)
    except ApiError:
        # Turned away (busy) before Rasa saw it: a token issued with it never reached the
        # browser, so it goes, and the message sent again starts the conversation afresh.
        if headers:
            await run_in_threadpool(tokens.remove, [admission.sender])
        raise
    return StoredReply(200, replies, headers) if ours else _refusal_reply()
