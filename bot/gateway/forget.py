"""Forget me: everything kept about a conversation is deleted, for good.

Three things are kept, each by the process that owns it:
- the conversation (messages, answers, what the assistant remembered): Rasa's tracker store;
  Rasa deletes it while holding the conversation's lock, so a message being answered cannot
  save it back (bot/rasa_ext/forget_channel.py);
- the nurse call-back requests it sent, with the phone number: the action server's outbox and
  alert file; the action server deletes them (rasa_sdk_plugins, actions/clients/nurse_alerts.py);
- the conversation's token: the gateway's table (bot/gateway/tokens.py).

The token is marked first, so no message is let in while the rest goes, and removed last; a
deletion that fails halfway is finished by the retention job (bot/gateway/retention.py). A
message let in just before the mark and reaching Rasa after the deletion is caught when it ends
(`still_ours`): its conversation is deleted again.

In the chat, after the person confirms, the assistant answers with the custom payload
`{"forget_conversation": true}` (actions/privacy.py): it cannot delete the conversation itself,
because Rasa saves the tracker after every action. The gateway deletes once Rasa's reply (and so
its save) is in, and replaces that payload with `{"conversation_deleted": {"what": [...]}}`
(the widget clears its side on it) and a sentence saying what was deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.concurrency import run_in_threadpool

from bot.gateway.conversations import ConversationStoreUnavailable
from bot.gateway.rasa_client import ActionServerUnavailable, RasaClient, RasaUnavailable
from bot.gateway.tokens import ConversationTokens

logger = logging.getLogger(__name__)

FORGET_REQUEST = "forget_conversation"
DELETED_PAYLOAD = "conversation_deleted"
CONVERSATION = "your messages, my answers and what I remembered"
ALERTS = "your call-back request and the phone number you gave"
DELETED_TEXT = "Done. I deleted {what}. If you write again, I will start fresh."
# Said when a deleted request had already reached the nurses: their channel keeps it.
DELIVERED_NOTE = "The nurses who already got your request still have it and may call you."
# Said when a deleted request had not reached them yet: no one will call.
WAITING_NOTE = (
    "Your request had not reached a nurse yet, so no one will call. Call {phone} to talk to one."
)
NOT_DELETED_TEXT = (
    "Sorry, I could not delete all of our conversation just now. I will keep trying until it "
    "is gone. If you write again, I will start fresh."
)


class ForgetFailed(Exception):
    """A part was down; the deletion is finished later by the retention job."""


@dataclass(frozen=True)
class Forgotten:
    waiting_alerts: int = 0
    delivered_alerts: int = 0

    @property
    def what(self) -> list[str]:
        """What was deleted, in words."""
        alerts = self.waiting_alerts + self.delivered_alerts
        return [CONVERSATION, ALERTS] if alerts else [CONVERSATION]

    def sentence(self, clinic_phone: str) -> str:
        said = DELETED_TEXT.format(what=" and ".join(self.what))
        if self.waiting_alerts:
            said += " " + WAITING_NOTE.format(phone=clinic_phone)
        elif self.delivered_alerts:
            said += " " + DELIVERED_NOTE
        return said


class Forgetter:
    def __init__(self, tokens: ConversationTokens, rasa: RasaClient) -> None:
        self._tokens = tokens
        self._rasa = rasa

    async def forget(self, sender_ids: Sequence[str]) -> Forgotten:
        """Deletes these conversations and all kept about them; ForgetFailed if a part is
        down (no message is let in for them meanwhile)."""
        try:
            await run_in_threadpool(self._tokens.mark_forgotten, sender_ids)
            await self._rasa.forget_conversations(sender_ids)
            alerts = await self._rasa.forget_alerts(sender_ids)
            await run_in_threadpool(self._tokens.remove, sender_ids)
        except (ConversationStoreUnavailable, ActionServerUnavailable, RasaUnavailable) as error:
            logger.warning("could not finish deleting conversations: %s", error)
            raise ForgetFailed(str(error)) from error
        logger.info("deleted %d conversations", len(sender_ids))
        return Forgotten(alerts["waiting"], alerts["delivered"])

    async def still_ours(self, sender: str, token: str) -> bool:
        """After a message: False when its conversation was deleted while Rasa answered it,
        which the message may have saved back; then it is deleted again."""
        try:
            if await self._tokens.store.read(self._tokens.holds, sender, token):
                return True
        except ConversationStoreUnavailable as error:
            # A deletion that began meanwhile left its mark: the retention job finishes it.
            logger.warning("could not check a conversation after its message: %s", error)
            return True
        try:
            await self._rasa.forget_conversations([sender])
        except RasaUnavailable as error:
            logger.warning("could not delete a conversation again after its message: %s", error)
        return False


def is_forget_request(reply: dict[str, Any]) -> bool:
    custom = reply.get("custom")
    return isinstance(custom, dict) and custom.get(FORGET_REQUEST) is True


def has_forget_request(replies: list[dict[str, Any]]) -> bool:
    return any(is_forget_request(r) for r in replies)


async def apply_forget_requests(
    replies: list[dict[str, Any]], sender_id: str, forgetter: Forgetter, clinic_phone: str
) -> list[dict[str, Any]]:
    """Carries out a forget request in Rasa's reply; other replies pass unchanged."""
    if not has_forget_request(replies):
        return replies
    try:
        forgotten = await forgetter.forget([sender_id])
    except ForgetFailed:
        outcome = [{"text": NOT_DELETED_TEXT}]
    else:
        outcome = [
            {"custom": {DELETED_PAYLOAD: {"what": forgotten.what}}},
            {"text": forgotten.sentence(clinic_phone)},
        ]
    answer: list[dict[str, Any]] = []
    for reply in replies:
        if is_forget_request(reply):
            answer += [{"recipient_id": sender_id, **item} for item in outcome]
        else:
            answer.append(reply)
    return answer
