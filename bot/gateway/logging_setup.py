"""Logs carry no message text or personal data unless LOG_MESSAGE_TEXT is on (debug only)."""

from __future__ import annotations

import logging

from settings.bot import Settings


def configure_logging(settings: Settings) -> None:
    level = logging.DEBUG if settings.log_message_text else logging.INFO
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Set apart from basicConfig, which does nothing when a handler is already installed.
    logging.getLogger().setLevel(level)
    # httpx logs every request URL at INFO; quiet it so nothing per-conversation is written.
    logging.getLogger("httpx").setLevel(logging.WARNING)
