"""Nurse alerts in Slack mode reach Slack's Web API at SLACK_API_BASE_URL, like the answers, with
"I'll call" and "Done" buttons whose clicks are recorded once and shown on the alert.

The notifier belongs to the safety feature (actions/clients/nurse_alerts.py); this checks it
against the same Slack stand-in the connector's tests use.
"""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from actions.clients.nurse_alerts import NurseAlert, NurseNotifier, notifier_from_settings
from settings.actions import ActionSettings
from tests.bot.channels.standins import block_kit_problems


@pytest.fixture
def notifier(slack_api, tmp_path) -> NurseNotifier:
    settings = ActionSettings(
        _env_file=None,
        nurse_alert_mode="slack",
        slack_api_base_url=slack_api.base_url,
        slack_bot_token="xoxb-test-stand-in",
        slack_nurse_channel=f"C-nurses-{tmp_path.name}"[:40],
        nurse_alert_outbox=tmp_path / "outbox.db",
    )
    return notifier_from_settings(settings)


def new_alert() -> NurseAlert:
    return NurseAlert(
        reason="Asked to talk to a nurse.", callback_phone="617 555 0123", source="website"
    )


def buttons(message: dict) -> dict[str, str]:
    actions = [b for b in message["blocks"] if b["type"] == "actions"]
    return {e["text"]["text"]: e["value"] for a in actions for e in a["elements"]}


async def test_alert_for_a_patient_who_asked_for_a_nurse_arrives_with_two_buttons(
    slack_api, notifier
):
    alert = new_alert()
    assert await notifier.send(alert) is True
    [posted] = slack_api.messages(channel=notifier.channel.channel)
    assert "617 555 0123" in posted["text"]
    assert block_kit_problems(posted["blocks"]) == []
    assert buttons(posted) == {"I'll call": alert.id, "Done": alert.id}
    assert notifier.outbox.pending() == []
    [call] = [c for c in slack_api.posted("chat.postMessage") if c.body is posted]
    assert call.headers["Authorization"] == "Bearer xoxb-test-stand-in"


async def test_first_nurse_to_press_ill_call_takes_it_and_the_second_is_told_only(
    slack_api, notifier
):
    alert = new_alert()
    await notifier.send(alert)
    assert await notifier.follow_up(alert.id, "claim", "U-ana") is True
    assert await notifier.follow_up(alert.id, "claim", "U-ben") is False
    [update] = slack_api.updates(channel=notifier.channel.channel)
    assert "Taken by <@U-ana>, <!date^" in update["text"]
    assert "U-ben" not in str(update)
    assert buttons(update) == {"Done": alert.id}
    assert block_kit_problems(update["blocks"]) == []
    [told] = [c.body for c in slack_api.posted("chat.postEphemeral") if c.body["user"] == "U-ben"]
    assert "Already handled: Taken by <@U-ana>" in told["text"]


async def test_two_nurses_pressing_at_the_same_moment_never_both_take_it(slack_api, notifier):
    alert = new_alert()
    await notifier.send(alert)
    nurses = [f"U-nurse-{n}" for n in range(6)]
    taken = await asyncio.gather(*(notifier.follow_up(alert.id, "claim", n) for n in nurses))
    assert sorted(taken) == [False] * 5 + [True]
    assert len(slack_api.updates(channel=notifier.channel.channel)) == 1


async def test_done_closes_the_alert_once_and_the_outbox_forgets_the_phone_number(
    slack_api, notifier
):
    alert = new_alert()
    await notifier.send(alert)
    await notifier.follow_up(alert.id, "claim", "U-ana")
    assert await notifier.follow_up(alert.id, "done", "U-ana") is True
    assert await notifier.follow_up(alert.id, "done", "U-ben") is False
    first, last = slack_api.updates(channel=notifier.channel.channel)
    assert "Taken by <@U-ana>" in last["text"] and "Done by <@U-ana>" in last["text"]
    assert buttons(last) == {}
    with sqlite3.connect(notifier.outbox.path) as db:
        [row] = db.execute("select alert, claimed_by, done_by from posted").fetchall()
    assert row == (None, "U-ana", "U-ana")


async def test_click_for_an_alert_this_server_never_posted_changes_nothing(slack_api, notifier):
    before = len(slack_api.calls)
    assert await notifier.follow_up("not-an-alert", "claim", "U-ana") is False
    assert len(slack_api.calls) == before
