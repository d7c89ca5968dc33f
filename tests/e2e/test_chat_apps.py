"""Slack and Teams end to end: the real gateway, Rasa and actions, with local stand-ins for
Slack's Web API and Microsoft's services that answer and sign as those services document.
Nothing here touches the internet."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

import httpx
import pytest

from bot.supervisor.stack import Stack
from tests.bot.channels.microsoft_examples import teams_channel_message
from tests.bot.channels.standins import (
    BotFramework,
    SigningKeyPair,
    SlackApi,
    block_kit_problems,
    slack_headers,
)
from tests.conftest import NURSES_CHANNEL, SLACK_SECRET

pytestmark = pytest.mark.e2e

SLACK = "/webhooks/slack/webhook"
TEAMS = "/webhooks/botframework/webhook"
FORM = "application/x-www-form-urlencoded"
# After the expected answer, how long to watch for anything more (a duplicate, a second
# bubble): Rasa posts one turn's messages within milliseconds of each other.
QUIET_SECONDS = 1
PATIENT_WELCOME = "I am not a doctor"
CLINICIAN_LINE = "Clinical wording here. `handout <topic>` gives a patient page."


def new_ts() -> str:
    return f"{time.time():.6f}{uuid.uuid4().int % 10}"


def new_user() -> str:
    return f"U{uuid.uuid4().hex[:8].upper()}"


def mention(
    text: str, channel: str, ts: str, event_id: str | None = None, user: str = "UNURSE"
) -> bytes:
    return json.dumps(
        {
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10]}",
            "authorizations": [{"user_id": "UBOT"}],
            "event": {
                "type": "app_mention",
                "user": user,
                "text": f"<@UBOT> {text}",
                "channel": channel,
                "ts": ts,
            },
        }
    ).encode()


def post_slack(stack: Stack, body: bytes, **headers: str) -> httpx.Response:
    signed = {**slack_headers(SLACK_SECRET, body), **headers}
    return httpx.post(f"{stack.url}{SLACK}", content=body, headers=signed, timeout=10)


def post_slack_form(stack: Stack, form: dict) -> httpx.Response:
    body = urlencode(form).encode()
    headers = slack_headers(SLACK_SECRET, body, content_type=FORM)
    return httpx.post(f"{stack.url}{SLACK}", content=body, headers=headers, timeout=10)


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


def test_nurses_mentions_get_no_patient_welcome_and_one_short_line_a_day(stack, slack_api):
    nurse, channel = new_user(), "C-welcome"
    first, second = new_ts(), new_ts()
    assert post_slack(stack, mention("what is an MRI", channel, first, user=nurse)).is_success
    opening = slack_answers(slack_api, channel, first, "spinal cord compression")
    assert [m["text"] for m in opening][0] == CLINICIAN_LINE
    assert len(opening) == 2  # the line, then the clinical answer
    # A new thread is a new conversation, but the same nurse the same day: only the answer.
    assert post_slack(stack, mention("what is a PET scan", channel, second, user=nurse)).is_success
    later = slack_answers(slack_api, channel, second, "radiolabelled sugar")
    assert len(later) == 1 and CLINICIAN_LINE not in later[0]["text"]
    assert not [m for m in opening + later if PATIENT_WELCOME in m["text"]]


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
    response = post_slack_form(stack, {"payload": json.dumps(payload)})
    assert response.status_code == 200
    the_one(slack_answers(slack_api, channel, thread, "osteolytic"), "osteolytic")


def test_nurse_gets_the_patient_handout_as_blocks_and_as_a_file_in_slack(stack, slack_api):
    channel, ts = "C-handout", new_ts()
    assert post_slack(stack, mention("handout bone scan", channel, ts)).status_code == 200
    wait_until(lambda: slack_api.shared_files(channel_id=channel, thread_ts=ts))
    handout = the_one(slack_answers(slack_api, channel, ts, "Bone scan"), "Bone scan")
    blocks = handout["blocks"]
    assert block_kit_problems(blocks) == []
    assert blocks[0]["type"] == "header" and blocks[-1]["type"] == "context"
    assert "May 2, 2016" in blocks[-1]["elements"][0]["text"]
    said = json.dumps(blocks)
    assert "whole skeleton" in said and "BLAS-tik" in said  # plain words, pronunciations
    [page] = slack_api.shared_files(channel_id=channel, thread_ts=ts)
    markdown = page["content"].decode()
    assert page["filename"] == "bone-scan-patient-handout.md"
    assert markdown.startswith("# Bone scan\n") and "May 2, 2016" in markdown


def test_slash_command_is_answered_only_to_the_nurse_who_typed_it(stack, slack_api):
    nurse = new_user()
    command = slack_api.slash_command("what is a bone scan", nurse, "C-not-a-member")
    assert post_slack_form(stack, command).status_code == 200
    where = command["response_url"].removeprefix(slack_api.url)
    wait_until(lambda: any("whole skeleton" in str(c.body) for c in slack_api.posted(where)))
    answers = [c.body for c in slack_api.posted(where)]
    assert all(a["response_type"] == "ephemeral" for a in answers)
    assert any("images the whole skeleton" in a["text"] for a in answers)
    assert slack_api.messages(channel="C-not-a-member") == []


def test_slash_command_handout_sends_blocks_and_the_file_to_the_nurses_dm(stack, slack_api):
    nurse = new_user()
    command = slack_api.slash_command("handout MRI", nurse, "C-not-a-member")
    assert post_slack_form(stack, command).status_code == 200
    wait_until(lambda: slack_api.shared_files(channel_id=f"D{nurse.upper()[:10]}"))
    where = command["response_url"].removeprefix(slack_api.url)
    [handout] = [c.body for c in slack_api.posted(where) if c.body.get("text") == "MRI scan"]
    assert handout["blocks"][0]["type"] == "header"
    [page] = slack_api.shared_files(channel_id=f"D{nurse.upper()[:10]}")
    assert page["content"].decode().startswith("# MRI scan\n")


def test_alerts_buttons_update_it_once_with_who_took_it_and_who_finished(stack, slack_api):
    patient, phone = f"patient-{uuid.uuid4().hex[:8]}", f"617 555 {uuid.uuid4().int % 10**4:04}"
    for message in ("/talk_to_nurse", "/affirm", f"please call me on {phone}"):
        stack.say(patient, message)
    wait_until(lambda: any(phone in m["text"] for m in slack_api.messages(channel=NURSES_CHANNEL)))

    def press(action_id: str, nurse: str) -> dict:
        return slack_api.click(NURSES_CHANNEL, phone, action_id, nurse)

    def send(click: dict) -> None:
        assert post_slack_form(stack, {"payload": json.dumps(click)}).status_code == 200

    def updates() -> list[dict]:
        return [u for u in slack_api.updates(channel=NURSES_CHANNEL) if phone in u["text"]]

    def told(nurse: str) -> list[dict]:
        return [c.body for c in slack_api.posted("chat.postEphemeral") if c.body["user"] == nurse]

    # Two nurses press "I'll call" on the same message before it changes.
    first, second = press("nurse_alert_claim", "U-ANA"), press("nurse_alert_claim", "U-BEN")
    send(first)
    send(second)
    wait_until(lambda: told("U-BEN") and updates())
    time.sleep(QUIET_SECONDS)
    [taken] = updates()
    assert "Taken by <@U-ANA>" in taken["text"] and "U-BEN" not in taken["text"]
    assert "Already handled: Taken by <@U-ANA>" in told("U-BEN")[-1]["text"]

    send(press("nurse_alert_done", "U-ANA"))
    wait_until(lambda: len(updates()) == 2)
    time.sleep(QUIET_SECONDS)
    taken, done = updates()
    assert "Done by <@U-ANA>" in done["text"]
    assert not [b for b in done["blocks"] if b["type"] == "actions"]  # no buttons left
    # Nothing is said in the alert's thread: the message itself shows what happened.
    assert [m for m in slack_api.messages(channel=NURSES_CHANNEL) if m.get("thread_ts")] == []


def test_teams_channel_message_as_microsoft_documents_it_is_answered_without_a_welcome(
    stack, bot_framework
):
    activity = teams_channel_message(bot_framework.service_url, "what is a PET scan", new_ts())
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
    assert PATIENT_WELCOME not in json.dumps([r.body for r in replies])


def test_teams_handout_is_an_adaptive_card(stack, bot_framework):
    activity = bot_framework.activity("handout bone scan", user=f"29:{new_user()}")
    assert teams_post(stack, activity, bot_framework.token()).status_code == 202
    replies = teams_replies(bot_framework, activity, "AdaptiveCard")
    [card] = [
        a["content"]
        for r in replies
        for a in r.body.get("attachments", [])
        if a["contentType"] == "application/vnd.microsoft.card.adaptive"
    ]
    assert card["body"][0]["text"] == "Bone scan"
    assert "May 2, 2016" in card["body"][-1]["text"]


BAD_TEAMS_TOKENS = {
    "wrong-audience": lambda bf: bf.token(audience="another-bots-app-id"),
    "expired": lambda bf: bf.token(expires_in=-3600),
    "signed-by-another-key": lambda bf: bf.token(key=SigningKeyPair.new()),
    "wrong-issuer": lambda bf: bf.token(issuer="https://login.example.org"),
    "another-service-url": lambda bf: bf.token(service_url="https://attacker.example.org/"),
    "service-url-only-as-serviceUrl": lambda bf: bf.token(service_url_claim="serviceUrl"),
    "microsofts-documented-example-from-2016": lambda bf: bf.documented_example_token(),
}


@pytest.mark.parametrize("make_token", BAD_TEAMS_TOKENS.values(), ids=BAD_TEAMS_TOKENS.keys())
def test_teams_activity_with_a_bad_token_gets_401_and_no_answer(stack, bot_framework, make_token):
    activity = bot_framework.activity("what is a bone scan")
    response = teams_post(stack, activity, make_token(bot_framework))
    assert response.status_code == 401
    assert teams_replies(bot_framework, activity, None) == []


def test_teams_activity_for_a_channel_the_key_is_not_endorsed_for_gets_401(stack, bot_framework):
    activity = bot_framework.activity("what is a bone scan", channelId="skype")
    assert teams_post(stack, activity, bot_framework.token()).status_code == 401
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
