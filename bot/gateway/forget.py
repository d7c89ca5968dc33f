"""Carries out a "forget me" that the assistant confirmed in the chat.

After the person confirms, the assistant answers with the custom payload
`{"forget_conversation": true}` (actions/privacy.py): it cannot delete the conversation itself,
because Rasa saves the tracker again after every action. Rasa has saved the turn by the time
its reply reaches the gateway, so the gateway deletes the conversation then, and replaces that
payload with `{"conversation_deleted": {"events": N}}` (the widget clears its side on it) and a
sentence saying what was deleted.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi.concurrency import run_in_threadpool

from bot.gateway.conversations import ConversationStore, ConversationStoreUnavailable

logger = logging.getLogger(__name__)

FORGET_REQUEST = "forget_conversation"
DELETED_PAYLOAD = "conversation_deleted"
DELETED_TEXT = (
    "Done. I deleted this conversation: {events} saved items, including your messages, "
    "my answers and what I remembered. If you write again, I will start fresh."
)
NOT_DELETED_TEXT = (
    "Sorry, I could not delete our conversation just now. Please try again in a minute."
)


def is_forget_request(reply: dict[str, Any]) -> bool:
    custom = reply.get("custom")
    return isinstance(custom, dict) and custom.get(FORGET_REQUEST) is True


async def apply_forget_requests(
    replies: list[dict[str, Any]], sender_id: str, store: ConversationStore
) -> list[dict[str, Any]]:
    """Carries out a forget request in Rasa's reply; other replies pass unchanged."""
    if not any(is_forget_request(r) for r in replies):
        return replies
    try:
        events = await run_in_threadpool(store.delete, sender_id)
    except ConversationStoreUnavailable as error:
        logger.warning("could not forget a conversation: %s", error)
        outcome = [{"text": NOT_DELETED_TEXT}]
    else:
        outcome = [
            {"custom": {DELETED_PAYLOAD: {"events": events}}},
            {"text": DELETED_TEXT.format(events=events)},
        ]
    answer: list[dict[str, Any]] = []
    for reply in replies:
        if is_forget_request(reply):
            answer += [{"recipient_id": sender_id, **item} for item in outcome]
        else:
            answer.append(reply)
    return answer
