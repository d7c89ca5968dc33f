"""Nurse alerts in Slack mode reach Slack's Web API at SLACK_API_BASE_URL, like the answers.

The notifier belongs to the safety feature (actions/clients/nurse_alerts.py); this checks it
against the same Slack stand-in the connector's tests use.
"""

from __future__ import annotations

from actions.clients.nurse_alerts import NurseAlert, notifier_from_settings
from settings.actions import ActionSettings


async def test_alert_for_a_patient_who_asked_for_a_nurse_arrives_in_the_nurses_channel(
    slack_api, tmp_path
):
    settings = ActionSettings(
        _env_file=None,
        nurse_alert_mode="slack",
        slack_api_base_url=slack_api.base_url,
        slack_bot_token="xoxb-test-stand-in",
        slack_nurse_channel="C-nurses-unit",
        nurse_alert_outbox=tmp_path / "outbox.db",
    )
    notifier = notifier_from_settings(settings)
    alert = NurseAlert(
        reason="Asked to talk to a nurse.", callback_phone="617 555 0123", source="website"
    )
    assert await notifier.send(alert) is True
    [posted] = slack_api.messages(channel="C-nurses-unit")
    assert "617 555 0123" in posted["text"]
    assert notifier.outbox.pending() == []
    [call] = [c for c in slack_api.posted("chat.postMessage") if c.body is posted]
    assert call.headers["Authorization"] == "Bearer xoxb-test-stand-in"
