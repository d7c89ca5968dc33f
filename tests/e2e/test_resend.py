"""A message resent with its Idempotency-Key (the widget's "Try again") gets the first reply,
and what the message asked for happens once: one nurse alert, not two."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.supervisor.stack import Stack, texts
from tests.conftest import NURSES_CHANNEL

pytestmark = pytest.mark.e2e


def ready_to_send_a_call_back(stack: Stack) -> str:
    """A conversation where the next message, a phone number, sends the nurses an alert."""
    sender = f"resend-{uuid.uuid4().hex[:12]}"
    stack.say(sender, "hi")
    stack.say(sender, "can a nurse call me")
    assert "phone number" in texts(stack.say(sender, "yes"))
    return sender


def alerts_with(slack_api, phone: str) -> list[dict]:
    return [m for m in slack_api.messages(channel=NURSES_CHANNEL) if phone in m["text"]]


def test_resent_call_back_gets_the_same_reply_and_sends_one_alert(stack, slack_api):
    sender, phone = ready_to_send_a_call_back(stack), "617 555 0131"
    first = stack.say(sender, f"please call {phone}", idempotency_key="m-3")
    again = stack.say(sender, f"please call {phone}", idempotency_key="m-3")
    assert again == first
    assert "sent your request to the nurses" in texts(first)
    assert len(alerts_with(slack_api, phone)) == 1


def test_call_back_resent_while_the_first_is_answered_sends_one_alert(stack, slack_api):
    sender, phone = ready_to_send_a_call_back(stack), "617 555 0132"
    with ThreadPoolExecutor(2) as pool:
        replies = list(
            pool.map(
                lambda _: stack.say(sender, f"please call {phone}", idempotency_key="m-3"),
                range(2),
            )
        )
    assert replies[0] == replies[1]
    assert "sent your request to the nurses" in texts(replies[0])
    assert len(alerts_with(slack_api, phone)) == 1


def test_messages_with_different_keys_are_each_answered(stack):
    sender = f"resend-{uuid.uuid4().hex[:12]}"
    stack.say(sender, "what is a bone scan", idempotency_key="k-1")
    follow_up = texts(stack.say(sender, "what does it show?", idempotency_key="k-2"))
    assert "denser" in follow_up
