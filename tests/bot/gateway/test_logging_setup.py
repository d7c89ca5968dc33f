"""Logs carry no message text unless LOG_MESSAGE_TEXT is on."""

from __future__ import annotations

import logging

import pytest

from bot.gateway.logging_setup import configure_logging
from settings.bot import Settings

SECRET_WORDS = "my-private-words-7f3a numbness since tuesday"


@pytest.fixture
def root_logging():
    """configure_logging changes the root logger; put it back after each test."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(level)
    root.handlers[:] = handlers


def test_default_level_is_info_and_httpx_request_lines_are_quiet(root_logging):
    configure_logging(Settings(_env_file=None))
    assert logging.getLogger().getEffectiveLevel() == logging.INFO
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING


def test_debug_setting_turns_on_debug_level(root_logging):
    configure_logging(Settings(_env_file=None, log_message_text=True))
    assert logging.getLogger().getEffectiveLevel() == logging.DEBUG


def test_chat_message_text_is_not_logged_by_default(make_client, caplog, root_logging):
    caplog.set_level(logging.DEBUG)
    client = make_client()
    assert (
        client.post(
            "/webhooks/rest/webhook", json={"sender": "p1", "message": SECRET_WORDS}
        ).status_code
        == 200
    )
    assert "my-private-words-7f3a" not in caplog.text


def test_chat_message_text_is_logged_only_with_the_debug_setting(make_client, caplog, root_logging):
    caplog.set_level(logging.DEBUG)
    client = make_client(log_message_text=True)
    client.post("/webhooks/rest/webhook", json={"sender": "p1", "message": SECRET_WORDS})
    assert "my-private-words-7f3a" in caplog.text
