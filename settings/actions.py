"""Settings of the action server, read from the environment (and `.env`) in one place."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, root_validator

from settings import PROJECT_DIR, refuse_placeholders
from settings.clinic import ClinicSettings


class ActionSettings(ClinicSettings):
    nurse_alert_mode: Literal["local_file", "slack", "teams"] = Field(
        "local_file",
        description="Where nurse alerts go: a local JSON-lines file, a Slack channel, or a "
        "Teams channel's incoming webhook.",
    )
    nurse_alert_file: Path = Field(
        PROJECT_DIR / "var" / "nurse_alerts.jsonl",
        description="local_file mode: the file alerts are appended to.",
    )
    nurse_alert_outbox: Path = Field(
        PROJECT_DIR / "var" / "nurse_alert_outbox.db",
        description="SQLite file that keeps each alert until its channel has taken it.",
    )
    nurse_alert_retry_seconds: float = Field(
        30.0, description="First wait before an alert that could not be delivered is retried."
    )
    nurse_alert_max_backoff_seconds: float = Field(
        900.0, description="Longest wait between retries; alerts are retried until delivered."
    )
    nurse_alert_timeout_seconds: float = Field(
        5.0, description="How long one delivery attempt may take."
    )
    alert_retention_days: float = Field(
        7,
        gt=0,
        description="Delivered nurse alerts are deleted from the outbox and the alert file "
        "after this many days (alerts not yet delivered are kept until they are).",
    )
    nurse_alerts_per_hour: int = Field(
        30, description="Most nurse call-back alerts sent in an hour, from everyone together."
    )
    nurse_alerts_per_hour_per_address: int = Field(
        3,
        description="Most nurse call-back alerts sent in an hour for one client address; past "
        "either limit the person is given the clinic's phone instead.",
    )
    slack_api_base_url: str = Field(
        "https://slack.com/api/",
        description="Slack Web API base URL; tests point it at a local stand-in.",
    )
    slack_bot_token: SecretStr = Field(
        "", description="Slack bot token (xoxb-...) with chat:write, used to post nurse alerts."
    )
    slack_nurse_channel: str = Field(
        "", description="slack mode: ID of the nurses' channel (C0...), the bot must be in it."
    )
    teams_nurse_webhook_url: SecretStr = Field(
        "",
        description="teams mode: incoming webhook URL (Workflows or connector) of the nurses' "
        "channel. It is a secret: anyone with it can post there.",
    )
    chat_app_welcome_file: Path = Field(
        PROJECT_DIR / "var" / "chat_app_welcomes.db",
        description="SQLite file that remembers which Slack and Teams users had today's one-line "
        "welcome (hashed ids, today's only).",
    )

    @root_validator(skip_on_failure=True)
    def alert_channel_is_configured(cls, values: dict) -> dict:
        mode = values["nurse_alert_mode"]
        needed = {
            "slack": ("slack_bot_token", "slack_nurse_channel"),
            "teams": ("teams_nurse_webhook_url",),
        }.get(mode, ())
        for name in needed:
            value = values[name]
            if not (value.get_secret_value() if isinstance(value, SecretStr) else value):
                raise ValueError(f"NURSE_ALERT_MODE={mode} needs {name.upper()}")
        if values["environment"] != "development":
            refuse_placeholders(values, [n for n in needed if isinstance(values[n], SecretStr)])
            # A file on one container's disk is read by no nurse: an alert would be lost.
            if mode == "local_file":
                raise ValueError(
                    "NURSE_ALERT_MODE=local_file is for development; use slack or teams"
                )
        return values


@lru_cache
def get_action_settings() -> ActionSettings:
    return ActionSettings()
