"""Slack and Teams end to end: the real gateway, Rasa and actions, with local stand-ins for
Slack's Web API and Microsoft's services. Nothing here touches the internet."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

import httpx
import pytest

from bot.supervisor.stack import Stack
from tests.bot.channels.standins import (
    BotFramework,
    SigningKeyPair,
    SlackApi,
    slack_headers,
)
from tests.conftest import NURSES_CHANNEL, SLACK_SECRET

pytestmark = pytest.mark.e2e

SLACK = "/webhooks/slack/webhook"
TEAMS = "/webhooks/botframework/webhook"
# Long enough for a second answer to arrive if there were going to be one.
# After the expected answer, how long to watch for anything more (a duplicate, a second
# bubble): Rasa posts one turn's messages within milliseconds of each other.
QUIET_SECONDS = 1


def new_ts() -> str:
    return f"{time.time():.6f}{uuid.uuid4().int % 10}"


def mention(text: str, channel: str, ts: str, event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10]}",
            "authorizations": [{"user_id": "UBOT"}],
            "event": {
                "type": "app_mention",
                "user": "UNURSE",
                "text": f"<@UBOT> {text}",
                "channel": channel,
                "ts": ts,
            },
        }
    ).encode()


def post_slack(stack: Stack, body: bytes, **headers: str) -> httpx.Response:
    signed = {**slack_headers(SLACK_SECRET, body), **headers}
    return httpx.post(f"{stack.url}{SLACK}", content=body, headers=signed, timeout=10)


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def slack_answers(slack_api: SlackApi, channel: str, thread_ts: str | None, saying: str) -> list:
    """The answers in one thread (or at a DM's top level), once one says `saying` and no more
    come."""

    def thread() -> list[dict]:
        return [m for m in slack_api.messages(channel=channel) if m.get("thread_ts") == thread_ts]

    wait_until(lambda: any(saying in m.get("text", "") for m in thread()))
    time.sleep(QUIET_SECONDS)
    return thread()


def the_one(messages: list[dict], phrase: str) -> dict:
    """The one message that says `phrase`; a new conversation may start with a welcome too."""
    [message] = [m for m in messages if phrase in m.get("text", "")]
    return message


def teams_post(stack: Stack, activity: dict, token: str) -> httpx.Response:
    return httpx.post(
        f"{stack.url}{TEAMS}", json=activity, headers={"Authorization": f"Bearer {token}"}
    )


def teams_replies(bot_framework: BotFramework, activity: dict, saying: str | None) -> list:
    """The replies in the activity's conversation, once one says `saying` (anywhere in it) and
    no more come; with `saying` None, whatever came in the quiet time."""

    def replies() -> list:
        return [r for r in bot_framework.replies() if activity["conversation"]["id"] in r.path]

    if saying:
        wait_until(lambda: any(saying in json.dumps(r.body) for r in replies()))
    time.sleep(QUIET_SECONDS)
    return replies()


def test_signed_slack_mention_gets_one_clinical_answer_in_its_thread(stack, slack_api):
    channel, ts = "C-mention", new_ts()
    began = time.monotonic()
    response = post_slack(stack, mention("what is a bone scan", channel, ts))
    assert response.status_code == 200
    assert time.monotonic() - began < 3
    answer = the_one(
        slack_answers(slack_api, channel, ts, "images the whole skeleton"),
        "images the whole skeleton",
    )
    assert answer["channel"] == channel  # "images the whole skeleton": the clinical wording
    assert "_Source: American Cancer Society" in answer["text"]
    assert answer["blocks"][-1]["type"] == "actions"  # follow-up buttons as Block Kit
    assert "as_user" not in answer


def test_slack_direct_message_is_answered_in_the_dm(stack, slack_api):
    body = json.dumps(
        {
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10]}",
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D-nurse",
                "user": "UNURSE",
                "text": "what does hypercalcemia mean",
                "ts": new_ts(),
            },
        }
    ).encode()
    assert post_slack(stack, body).status_code == 200
    the_one(slack_answers(slack_api, "D-nurse", None, "serum calcium"), "serum calcium")


def test_slack_retry_of_a_delivered_event_gets_no_second_answer(stack, slack_api):
    channel, ts = "C-retry", new_ts()
    body = mention("what is an MRI", channel, ts, event_id="EvRetryE2E")
    assert post_slack(stack, body).status_code == 200
    retry = post_slack(stack, body, **{"X-Slack-Retry-Num": "1"})
    assert retry.status_code == 200
    first_delivery = slack_answers(slack_api, channel, ts, "spinal cord compression")
    the_one(first_delivery, "spinal cord compression")
    late_retry = post_slack(stack, body, **{"X-Slack-Retry-Num": "2"})
    assert late_retry.status_code == 200
    time.sleep(QUIET_SECONDS)
    assert slack_answers(slack_api, channel, ts, "spinal cord compression") == first_delivery


def test_wrong_or_stale_slack_signature_gets_401_and_no_answer(stack, slack_api):
    forged = mention("what is a PET scan", "C-forged", new_ts())
    wrong = httpx.post(
        f"{stack.url}{SLACK}", content=forged, headers=slack_headers("not-the-secret", forged)
    )
    stale = mention("what is a PET scan", "C-stale", new_ts())
    replayed = httpx.post(
        f"{stack.url}{SLACK}",
        content=stale,
        headers=slack_headers(SLACK_SECRET, stale, timestamp=int(time.time()) - 6 * 60),
    )
    assert (wrong.status_code, replayed.status_code) == (401, 401)
    time.sleep(QUIET_SECONDS)
    assert slack_api.messages(channel="C-forged") == slack_api.messages(channel="C-stale") == []


def test_slack_button_click_is_answered_in_the_same_thread(stack, slack_api):
    channel, thread = "C-button", new_ts()
    payload = {
        "type": "block_actions",
        "user": {"id": "UNURSE"},
        "channel": {"id": channel},
        "message": {"ts": new_ts(), "thread_ts": thread},
        "actions": [{"type": "button", "value": '/ask_limits{"test": "bone_scan"}'}],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    response = post_slack(stack, body, **{"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200
    the_one(slack_answers(slack_api, channel, thread, "osteolytic"), "osteolytic")


def test_nurse_gets_a_markdown_patient_handout_in_slack(stack, slack_api):
    channel, ts = "C-handout", new_ts()
    assert post_slack(stack, mention("handout bone scan", channel, ts)).status_code == 200
    handout = the_one(slack_answers(slack_api, channel, ts, "# Bone scan\n"), "# Bone scan\n")
    text = handout["text"]
    assert text.startswith("# Bone scan\n")
    assert "whole skeleton" in text and "BLAS-tik" in text  # plain words, pronunciations
    assert "May 2, 2016" in text
    assert handout["blocks"] == [{"type": "markdown", "text": text}]


def test_teams_activity_with_a_valid_token_gets_an_answer_at_the_service_url(stack, bot_framework):
    activity = bot_framework.activity("<at>Bone mets guide</at> what is a PET scan")
    response = teams_post(stack, activity, bot_framework.token())
    assert response.status_code == 202
    replies = teams_replies(bot_framework, activity, "radiolabelled sugar")
    assert all(r.headers["Authorization"] == f"Bearer {bot_framework.reply_token}" for r in replies)
    assert all(r.body["replyToId"] == activity["id"] for r in replies)
    # The answer comes as a card, with its follow-up buttons; "radiolabelled sugar" is the
    # clinical wording.
    cards = [a["content"] for r in replies for a in r.body.get("attachments", [])]
    answer = the_one(cards, "radiolabelled sugar")
    assert answer["buttons"][0]["type"] == "messageBack"


@pytest.mark.parametrize(
    "wrong",
    [{"audience": "another-bots-app-id"}, {"expires_in": -3600}, {"key": SigningKeyPair.new()}],
    ids=["wrong-audience", "expired", "signed-by-another-key"],
)
def test_teams_activity_with_a_bad_token_gets_401_and_no_answer(stack, bot_framework, wrong):
    activity = bot_framework.activity("what is a bone scan")
    response = teams_post(stack, activity, bot_framework.token(**wrong))
    assert response.status_code == 401
    assert teams_replies(bot_framework, activity, None) == []


def test_patient_asking_for_a_nurse_sends_an_alert_to_the_nurses_slack_channel(stack, slack_api):
    sender = f"patient-{uuid.uuid4().hex[:8]}"
    stack.say(sender, "/talk_to_nurse")
    stack.say(sender, "/affirm")
    stack.say(sender, "please call me on 617 555 0123")
    alerts = slack_answers(slack_api, NURSES_CHANNEL, None, "617 555 0123")
    [alert] = [m for m in alerts if "617 555 0123" in m["text"]]
    assert "Nurse call-back requested" in alert["text"]
    assert "617 555 0123" in alert["text"]
