"""Settings refuse example secrets outside development, in the gateway and the action server."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from settings.actions import ActionSettings
from settings.bot import Settings


def test_gateway_refuses_a_placeholder_secret_in_production():
    with pytest.raises(ValidationError, match="SLACK_SIGNING_SECRET is a placeholder"):
        Settings(environment="production", slack_signing_secret="change-me-please", _env_file=None)


def test_gateway_accepts_a_placeholder_secret_in_development():
    settings = Settings(slack_signing_secret="change-me-please", _env_file=None)
    assert settings.slack_signing_secret.get_secret_value() == "change-me-please"


def production_actions_posting_to_slack(token: str) -> ActionSettings:
    return ActionSettings(
        environment="production",
        clinic_phone="212-555-7311",
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
