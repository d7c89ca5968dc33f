"""An ERROR in the logs means something: none while starting or in normal conversations.

Normal conversations here: the simulated patients' conversations, every button the domain
offers (their payloads carry entities in braces), a warning sign, a nurse call-back that the
Slack stand-in takes, and a "forget me".
"""

from __future__ import annotations

import re
import uuid

import pytest
import yaml

from bot.supervisor.stack import Stack, texts
from settings import PROJECT_DIR

pytestmark = pytest.mark.e2e

# A log line at ERROR or CRITICAL in any process's format, or a Python traceback.
ALARMING = re.compile(r"\b(?:ERROR|CRITICAL)\b|Traceback \(most recent call last\)")


def alarming_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if ALARMING.search(line)]


def domain_button_payloads() -> list[str]:
    responses = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())["responses"]
    return sorted(
        {
            button["payload"]
            for variants in responses.values()
            for variant in variants
            for button in variant.get("buttons") or []
        }
    )


def bench_conversations() -> list[list[str]]:
    path = PROJECT_DIR / "eval" / "bench" / "conversations.yml"
    return yaml.safe_load(path.read_text())["conversations"]


def new_sender() -> str:
    return f"quiet-{uuid.uuid4().hex[:12]}"


def test_starting_every_process_logs_no_error(stack: Stack):
    assert alarming_lines(stack.log_since(*stack.startup_log)) == []


def test_normal_conversations_log_no_error_in_any_process(stack: Stack, slack_api):
    payloads = domain_button_payloads()
    assert any("{" in payload for payload in payloads), "expected buttons with entities"
    offset = stack.log_path.stat().st_size
    for conversation in bench_conversations():
        sender = new_sender()
        for message in conversation:
            assert texts(stack.say(sender, message))
    for payload in payloads:
        sender = new_sender()
        stack.say(sender, "hi")
        assert stack.say(sender, payload)
    sender = new_sender()
    assert "911" in texts(stack.say(sender, "my legs feel numb and weak since this morning"))
    stack.say(sender, "/talk_to_nurse")
    stack.say(sender, "yes")
    assert "sent your request" in texts(stack.say(sender, "please call 617 555 0123"))
    stack.say(sender, "forget me")
    assert "I deleted your messages" in texts(stack.say(sender, "yes"))
    assert alarming_lines(stack.log_since(offset)) == []
