"""Rasa's Slack connector as set up here: where answers go and what they look like."""

from __future__ import annotations

import json
from types import SimpleNamespace

from bot.channels.slack.connector import SlackConnector, SlackOutput

BUTTONS = [
    {"title": "What does it show?", "payload": '/ask_what_it_shows{"test": "bone_scan"}'},
    {"title": "What can it miss?", "payload": '/ask_limits{"test": "bone_scan"}'},
]


def connector(slack_api) -> SlackConnector:
    return SlackConnector(
        slack_token="xoxb-test",
        use_threads=True,
        slack_signing_secret="8f742231b10e8888abcd99yyyzzz85a5",
        conversation_granularity="thread",
        api_base_url=slack_api.base_url,
    )


def event_request(channel: str, ts: str, thread_ts: str | None = None) -> SimpleNamespace:
    event = {"type": "message", "channel": channel, "ts": ts, "user": "UNURSE", "text": "hi"}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return SimpleNamespace(
        headers={"content-type": "application/json"},
        json={"event": event, "authorizations": [{"user_id": "UBOT"}]},
    )


def button_request(channel: str, message: dict) -> SimpleNamespace:
    payload = {"user": {"id": "UNURSE"}, "channel": {"id": channel}, "message": message}
    return SimpleNamespace(
        headers={"content-type": "application/x-www-form-urlencoded"},
        form={"payload": [json.dumps(payload)]},
    )


async def test_answer_is_one_message_in_the_thread_without_as_user(slack_api):
    out = SlackOutput("xoxb-test", slack_api.base_url, "C123", "1700000000.000100")
    handout = "# Bone scan\n\nFirst paragraph.\n\n## What it can miss\n\nSecond paragraph."
    await out.send_text_message("UNURSE", handout)
    [message] = slack_api.messages(thread_ts="1700000000.000100")
    assert message["channel"] == "C123"
    assert message["text"] == handout
    assert message["blocks"] == [{"type": "markdown", "text": handout}]
    assert "as_user" not in message


async def test_buttons_are_a_block_kit_actions_block(slack_api):
    out = SlackOutput("xoxb-test", slack_api.base_url, "D42", "1700000000.000200")
    await out.send_text_with_buttons("UNURSE", "A bone scan shows the whole skeleton.", BUTTONS)
    [message] = slack_api.messages(thread_ts="1700000000.000200")
    actions = message["blocks"][1]
    assert actions["type"] == "actions"
    assert [e["value"] for e in actions["elements"]] == [b["payload"] for b in BUTTONS]
    assert [e["text"]["text"] for e in actions["elements"]] == [b["title"] for b in BUTTONS]
    assert len({e["action_id"] for e in actions["elements"]}) == len(BUTTONS)


def test_channel_mention_is_answered_in_its_thread(slack_api):
    metadata = connector(slack_api).get_metadata(event_request("C123", "111.1"))
    assert (metadata["out_channel"], metadata["thread_id"]) == ("C123", "111.1")


def test_direct_message_is_answered_below_it_not_in_a_new_thread(slack_api):
    metadata = connector(slack_api).get_metadata(event_request("D42", "111.1"))
    assert (metadata["out_channel"], metadata["thread_id"]) == ("D42", None)


def test_direct_message_inside_a_thread_is_answered_in_that_thread(slack_api):
    metadata = connector(slack_api).get_metadata(event_request("D42", "222.2", "111.1"))
    assert metadata["thread_id"] == "111.1"


def test_button_click_is_answered_where_the_buttons_were(slack_api):
    slack = connector(slack_api)
    in_thread = slack.get_metadata(button_request("C123", {"ts": "222.2", "thread_ts": "111.1"}))
    in_dm = slack.get_metadata(button_request("D42", {"ts": "333.3"}))
    assert (in_thread["out_channel"], in_thread["thread_id"]) == ("C123", "111.1")
    assert (in_dm["out_channel"], in_dm["thread_id"]) == ("D42", None)


def test_each_channel_thread_is_its_own_conversation(slack_api):
    slack = connector(slack_api)
    one = slack._get_conversation_id("UNURSE", "C123", "111.1")
    other = slack._get_conversation_id("UNURSE", "C123", "999.9")
    assert one != other
    assert slack._get_conversation_id("UNURSE", "D42", None) == "UNURSE"


def test_without_a_signing_secret_the_connector_starts_but_refuses_every_request(slack_api):
    off = SlackConnector(slack_token="", slack_signing_secret="", api_base_url=slack_api.base_url)
    request = SimpleNamespace(headers={}, body=b"{}")
    assert off.is_request_from_slack_authentic(request) is False
