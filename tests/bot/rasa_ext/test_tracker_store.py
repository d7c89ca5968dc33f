"""The tracker store Rasa loads: SQLite in write-ahead-log mode, conversations kept as before."""

from __future__ import annotations

import asyncio
import sqlite3

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.tracker_store import PingingSQLTrackerStore


def test_sqlite_store_keeps_a_conversation_in_a_write_ahead_log_without_waiting_for_the_disk(
    tmp_path,
):
    path = tmp_path / "tracker.db"
    store = PingingSQLTrackerStore(Domain.empty(), host=f"sqlite:///{path}")
    tracker = DialogueStateTracker.from_events(
        "patient-1", [ActionExecuted("action_listen"), UserUttered("what is a bone scan")]
    )
    asyncio.run(store.save(tracker))
    stored = asyncio.run(store.retrieve("patient-1"))

    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == ["what is a bone scan"]
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
