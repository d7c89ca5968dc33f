"""A click on a nurse alert's button, as the Slack connector hands it to the action server."""

from __future__ import annotations

import asyncio

from actions.clients.nurse_alerts import NurseAlert
from actions.handoff import nurse_notifier
from actions.nurse_follow_up import ActionFollowUpNurseAlert
from tests.actions.trackers import run, tracker_for


def click(alert_id: str, step: str, nurse: str, channel: str = "slack"):
    tracker = tracker_for("/nurse_alert_follow_up", "nurse_alert_follow_up", channel=channel)
    tracker.events[-1]["metadata"] = {
        "chat_app": "slack",
        "chat_user": nurse,
        "nurse_alert": {"id": alert_id, "step": step},
    }
    return tracker


def posted_alert(action_settings, slack_api) -> NurseAlert:
    action_settings(
        NURSE_ALERT_MODE="slack",
        SLACK_API_BASE_URL=slack_api.base_url,
        SLACK_BOT_TOKEN="xoxb-test-stand-in",
        SLACK_NURSE_CHANNEL="C-nurses-actions",
    )
    alert = NurseAlert(
        reason="Asked to talk to a nurse.", callback_phone="617 555 0199", source="x"
    )
    assert asyncio.run(nurse_notifier().send(alert)) is True
    return alert


def test_nurses_click_is_recorded_on_the_alert_and_nothing_is_said(action_settings, slack_api):
    alert = posted_alert(action_settings, slack_api)
    messages, events = run(ActionFollowUpNurseAlert(), click(alert.id, "claim", "U-cara"))
    assert (messages, events) == ([], [])
    [update] = [u for u in slack_api.updates(channel="C-nurses-actions") if alert.id in str(u)]
    assert "Taken by <@U-cara>" in update["text"]


def test_same_message_typed_on_the_web_changes_nothing(action_settings, slack_api):
    alert = posted_alert(action_settings, slack_api)
    run(ActionFollowUpNurseAlert(), click(alert.id, "claim", "U-cara", channel="rest"))
    assert [u for u in slack_api.updates() if alert.id in str(u)] == []
