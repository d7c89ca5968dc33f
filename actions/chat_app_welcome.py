"""Nurses in Slack and Teams get no patient welcome: at most one short line, the first time a
nurse talks to the assistant in a day, whatever the thread.

Each Slack thread is a conversation of its own, so "first time today" cannot come from one
conversation: a small SQLite file remembers who has had the line today (a hash of the chat
app and user id, and the date; other days' rows are deleted at each write). The connectors put
the chat app and the user in the message metadata (bot/channels/*/connector.py), which Rasa
hands to the session start; the gateway never forwards metadata from the web.
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.private_files import private_file
from settings.actions import get_action_settings

SESSION_METADATA_SLOT = "session_started_metadata"
CHAT_APPS = {"slack", "teams"}
UTTER_CLINICIAN_WELCOME = "utter_clinician_welcome"


def chat_app_user(tracker: Tracker) -> tuple[str, str] | None:
    """The chat app and user a new session came from; None for the web and the REST API."""
    metadata = tracker.get_slot(SESSION_METADATA_SLOT) or {}
    app, user = metadata.get("chat_app"), metadata.get("chat_user")
    if app in CHAT_APPS and isinstance(user, str) and user:
        return app, user
    return None


def first_time_today(path: Path, app: str, user: str, today: date) -> bool:
    """True once per user and day: remembered at the first call."""
    key = hashlib.sha256(f"{app}:{user}".encode()).hexdigest()
    private_file(path)
    with closing(sqlite3.connect(path, timeout=10, isolation_level=None)) as db:
        db.execute(
            "create table if not exists welcomed (day text, user text, primary key (day, user))"
        )
        db.execute("delete from welcomed where day != ?", (today.isoformat(),))
        added = db.execute(
            "insert or ignore into welcomed (day, user) values (?, ?)", (today.isoformat(), key)
        )
        return added.rowcount == 1


def welcome_clinician(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """For a session in Slack or Teams: the short line if it is this nurse's first today.

    True when the session is a chat app's (so the patient welcome is not for it)."""
    origin = chat_app_user(tracker)
    if origin is None:
        return False
    metadata = tracker.get_slot(SESSION_METADATA_SLOT) or {}
    # A click on a nurse alert's button is not talking to the assistant.
    if not metadata.get("nurse_alert") and first_time_today(
        get_action_settings().chat_app_welcome_file, *origin, date.today()
    ):
        dispatcher.utter_message(response=UTTER_CLINICIAN_WELCOME)
    return True
