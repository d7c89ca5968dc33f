"""Settings refuse example secrets outside development, in the gateway and the action server."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from settings.actions import ActionSettings
from settings.bot import Settings

# A real clinic's contacts, which production needs before anything else.
CLINIC = {"clinic_name": "Lakeside Oncology", "clinic_phone": "212-555-7311"}


def test_gateway_refuses_a_placeholder_secret_in_production():
    with pytest.raises(ValidationError, match="SLACK_SIGNING_SECRET is a placeholder"):
        Settings(
            environment="production",
            slack_signing_secret="change-me-please",
            **CLINIC,
            _env_file=None,
        )


def test_gateway_refuses_a_placeholder_rasa_token_in_production():
    with pytest.raises(ValidationError, match="RASA_TOKEN is a placeholder"):
        Settings(environment="production", rasa_token="change-me", **CLINIC, _env_file=None)


@pytest.mark.parametrize("settings_class", [Settings, ActionSettings])
@pytest.mark.parametrize(
    ("demo", "message"),
    [
        ({"clinic_phone": "555-0100"}, "CLINIC_PHONE"),
        ({"clinic_name": "Riverbend Cancer Center"}, "CLINIC_NAME"),
    ],
)
def test_every_service_refuses_the_demo_clinic_in_production(settings_class, demo, message):
    with pytest.raises(ValidationError, match=message):
        settings_class(environment="production", **{**CLINIC, **demo}, _env_file=None)


def test_action_server_refuses_nurse_alerts_in_a_local_file_in_production():
    with pytest.raises(ValidationError, match="NURSE_ALERT_MODE=local_file"):
        ActionSettings(environment="production", **CLINIC, _env_file=None)


def test_gateway_and_action_server_read_the_same_clinic_contacts(monkeypatch):
    monkeypatch.setenv("CLINIC_PHONE", "617-555-0123")
    monkeypatch.setenv("CLINIC_NAME", "Harbor Cancer Care")
    for settings in (Settings(_env_file=None), ActionSettings(_env_file=None)):
        assert (settings.clinic_phone, settings.clinic_name) == (
            "617-555-0123",
            "Harbor Cancer Care",
        )


def test_gateway_accepts_a_placeholder_secret_in_development():
    settings = Settings(slack_signing_secret="change-me-please", _env_file=None)
    assert settings.slack_signing_secret.get_secret_value() == "change-me-please"


def production_actions_posting_to_slack(token: str) -> ActionSettings:
    return ActionSettings(
        environment="production",
        **CLINIC,
        nurse_alert_mode="slack",
        slack_bot_token=token,
        slack_nurse_channel="C0123",
        _env_file=None,
    )


def test_action_server_refuses_a_placeholder_slack_token_in_production():
    with pytest.raises(ValidationError, match="SLACK_BOT_TOKEN is a placeholder"):
        production_actions_posting_to_slack("xoxb-your-token-here")


def test_action_server_accepts_a_real_looking_token_in_production():
    settings = production_actions_posting_to_slack("xoxb-1234567890-abcdefghijkl")
    assert settings.nurse_alert_mode == "slack"
