"""Action server settings for one test: set through the environment, as in production."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from actions.handoff import alert_limits, nurse_notifier
from settings.actions import ActionSettings, get_action_settings


def _clear() -> None:
    get_action_settings.cache_clear()
    nurse_notifier.cache_clear()
    alert_limits.cache_clear()


@pytest.fixture
def action_settings(monkeypatch, tmp_path) -> Iterator[Callable[..., ActionSettings]]:
    """Call with environment variables; nurse alerts and the chat apps' daily welcomes always
    go under the test's tmp_path."""

    def configure(**env: str) -> ActionSettings:
        defaults = {
            "NURSE_ALERT_FILE": str(tmp_path / "nurse_alerts.jsonl"),
            "NURSE_ALERT_OUTBOX": str(tmp_path / "outbox.db"),
            "CHAT_APP_WELCOME_FILE": str(tmp_path / "chat_app_welcomes.db"),
        }
        for name, value in {**defaults, **env}.items():
            monkeypatch.setenv(name, value)
        _clear()
        return get_action_settings()

    yield configure
    _clear()
