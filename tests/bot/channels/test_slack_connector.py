"""Rasa's Slack connector as set up here: where answers go and what they look like."""

from __future__ import annotations

import json
from types import SimpleNamespace

from actions.clients.alert_follow_up import ACTION_IDS
from actions.handout import handout_for_test, page_payload
from bot.channels.slack.blocks import handout_blocks
from bot.channels.slack.connector import (
    NURSE_ALERT_STEPS,
    SlackConnector,
    SlackOutput,
    SlackResponseUrlOutput,
)
from content.schema import load_content
from tests.bot.channels.standins import block_kit_problems

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


def button_request(channel: str, message: dict, **extra) -> SimpleNamespace:
    payload = {"user": {"id": "UNURSE"}, "channel": {"id": channel}, "message": message, **extra}
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


def bone_scan_page() -> dict:
    content = load_content()
    return page_payload(content, handout_for_test(content, "bone_scan"))


async def test_handout_is_block_kit_slack_accepts_plus_the_page_as_a_file(slack_api):
    page = bone_scan_page()
    out = SlackOutput("xoxb-test", slack_api.base_url, "C123", "1700000000.000300")
    await out.send_custom_json("UNURSE", {"handout": page})
    [message] = slack_api.messages(thread_ts="1700000000.000300")
    blocks = message["blocks"]
    assert block_kit_problems(blocks) == []
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Bone scan"}}
    assert {b["type"] for b in blocks[1:-1]} == {"section"}
    assert "*What it can miss*" in json.dumps(blocks)
    assert "\u2022 *blastic* (BLAS-tik)" in json.dumps(blocks, ensure_ascii=False)
    [source] = blocks[-1]["elements"]
    assert blocks[-1]["type"] == "context" and "May 2, 2016" in source["text"]
    [shared] = slack_api.shared_files(channel_id="C123", thread_ts="1700000000.000300")
    assert shared["filename"] == "bone-scan-patient-handout.md"
    assert shared["content"].decode() == page["markdown"]


def test_handout_text_is_escaped_for_slack_mrkdwn():
    page = {**bone_scan_page(), "parts": [{"heading": None, "text": "calcium < 2.6 & more"}]}
    part = handout_blocks(page)[1]
    assert part["text"]["text"] == "calcium &lt; 2.6 &amp; more"


def test_metadata_names_the_slack_user_who_wrote(slack_api):
    metadata = connector(slack_api).get_metadata(event_request("C123", "111.1"))
    assert (metadata["chat_app"], metadata["chat_user"]) == ("slack", "UNURSE")


def test_click_on_a_nurse_alert_button_is_a_follow_up_with_the_alert_and_the_nurse(slack_api):
    slack = connector(slack_api)
    action = {"type": "button", "action_id": "nurse_alert_claim", "value": "alert-1"}
    request = button_request("C-nurses", {"ts": "555.5"}, actions=[action])
    assert slack._get_interactive_response(action) == "/nurse_alert_follow_up"
    metadata = slack.get_metadata(request)
    assert metadata["nurse_alert"] == {"id": "alert-1", "step": "claim"}
    assert metadata["chat_user"] == "UNURSE"


def test_ordinary_button_click_still_sends_its_payload(slack_api):
    action = {"type": "button", "action_id": "button_0", "value": "/ask_limits"}
    assert connector(slack_api)._get_interactive_response(action) == "/ask_limits"


def test_connector_knows_the_nurse_alert_buttons_the_action_server_posts():
    assert {NURSE_ALERT_STEPS[action_id] for action_id in ACTION_IDS.values()} == set(ACTION_IDS)


def test_click_on_an_answer_only_the_nurse_sees_is_answered_through_its_response_url(
    slack_api,
):
    url = slack_api.response_url("click-1")
    action = {"type": "button", "action_id": "button_0", "value": "/ask_limits"}
    request = button_request(
        "C-any",
        {},
        actions=[action],
        container={"type": "message", "is_ephemeral": True},
        response_url=url,
    )
    assert connector(slack_api).get_metadata(request)["response_url"] == url


async def test_slash_command_answers_go_only_to_the_nurse_through_the_response_url(slack_api):
    url = slack_api.response_url("command-1")
    out = SlackResponseUrlOutput(url, "xoxb-test", slack_api.base_url, "UNURSE")
    await out.send_text_with_buttons("UNURSE", "A bone scan shows the whole skeleton.", BUTTONS)
    [answer] = slack_api.posted("/commands/command-1")
    assert answer.body["response_type"] == "ephemeral"
    assert answer.body["replace_original"] is False
    assert block_kit_problems(answer.body["blocks"]) == []
    assert answer.body["blocks"][1]["type"] == "actions"


async def test_slash_command_handout_comes_as_blocks_and_the_file_in_the_nurses_dm(slack_api):
    url = slack_api.response_url("command-2")
    out = SlackResponseUrlOutput(url, "xoxb-test", slack_api.base_url, "UNURSE2")
    await out.send_custom_json("UNURSE2", {"handout": bone_scan_page()})
    [answer] = slack_api.posted("/commands/command-2")
    assert answer.body["blocks"][0]["type"] == "header"
    [dm] = slack_api.posted("/api/conversations.open")
    assert dm.body["users"] == "UNURSE2"
    [shared] = slack_api.shared_files(channel_id="DUNURSE2")
    assert shared["filename"] == "bone-scan-patient-handout.md"
