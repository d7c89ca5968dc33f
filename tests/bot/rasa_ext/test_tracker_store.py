"""The tracker store Rasa loads: SQLite in write-ahead-log mode, conversations kept as before."""

from __future__ import annotations

import asyncio
import gc
import sqlite3

import pytest
from rasa.core.tracker_store import SQLTrackerStore
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


def new_store(path) -> PingingSQLTrackerStore:
    return PingingSQLTrackerStore(Domain.empty(), host=f"sqlite:///{path}")


def said(tracker: DialogueStateTracker) -> list[str]:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def turn(text: str) -> list:
    return [UserUttered(text), ActionExecuted("action_listen")]


def stored_rows(store: PingingSQLTrackerStore) -> int:
    with store.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT count(*) FROM events").scalar()


@pytest.fixture
def no_database_reads(monkeypatch):
    """Fails a test whose conversation is read back from the database instead of memory."""

    async def read_back(self, sender_id):
        raise AssertionError(f"{sender_id} was read back from the database")

    monkeypatch.setattr(SQLTrackerStore, "retrieve", read_back)
    return monkeypatch


def test_the_tracker_saved_last_is_handed_out_again_and_only_new_events_are_written(
    tmp_path, no_database_reads
):
    store = new_store(tmp_path / "tracker.db")
    tracker = DialogueStateTracker.from_events("p", [ActionExecuted("action_listen")])
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("p"))
    assert again.events == tracker.events
    for event in turn("what is a bone scan"):
        again.update(event)
    asyncio.run(store.save(again))
    assert stored_rows(store) == 3
    assert said(asyncio.run(store.retrieve("p"))) == ["what is a bone scan"]
    no_database_reads.undo()
    # A reader of the database alone (a fresh process) sees the same conversation.
    assert said(asyncio.run(new_store(tmp_path / "tracker.db").retrieve("p"))) == [
        "what is a bone scan"
    ]


def test_kept_conversations_give_a_full_garbage_collection_nothing_to_walk(tmp_path):
    store = new_store(tmp_path / "tracker.db")

    def save(patient: str) -> None:
        events = [event for n in range(10) for event in turn(f"question {n}")]
        asyncio.run(store.save(DialogueStateTracker.from_events(patient, events)))

    save("warming up the database connection")
    gc.collect()
    before = len(gc.get_objects())
    for patient in range(50):
        save(f"p{patient}")
    gc.collect()
    # An entry and a reference or two each; kept as trackers, it was over 80 objects each.
    assert len(gc.get_objects()) - before < 50 * 10


def test_a_conversation_another_worker_added_to_is_read_again(tmp_path):
    path = tmp_path / "tracker.db"
    mine, other = new_store(path), new_store(path)
    asyncio.run(mine.save(DialogueStateTracker.from_events("p", turn("hello"))))
    theirs = asyncio.run(other.retrieve("p"))
    for event in turn("and the MRI?"):
        theirs.update(event)
    asyncio.run(other.save(theirs))

    current = asyncio.run(mine.retrieve("p"))
    assert said(current) == ["hello", "and the MRI?"]
    for event in turn("why?"):
        current.update(event)
    asyncio.run(mine.save(current))
    assert stored_rows(mine) == 6


def test_a_tracker_changed_but_never_saved_is_read_again(tmp_path):
    store = new_store(tmp_path / "tracker.db")
    tracker = DialogueStateTracker.from_events("p", turn("hello"))
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("lost when the turn failed"))
    assert said(asyncio.run(store.retrieve("p"))) == ["hello"]


def test_a_deleted_conversation_is_not_handed_out(tmp_path):
    store = new_store(tmp_path / "tracker.db")
    asyncio.run(store.save(DialogueStateTracker.from_events("p", turn("hello"))))
    assert store.delete_conversation("p")
    assert asyncio.run(store.retrieve("p")) is None


def test_a_new_conversation_is_created_stored_and_read_back_by_another_process(tmp_path):
    store = new_store(tmp_path / "tracker.db")
    assert asyncio.run(store.retrieve("new")) is None
    tracker = asyncio.run(store.get_or_create_tracker("new"))
    assert stored_rows(store) == 1  # the first action_listen, as Rasa's own store writes
    for event in turn("what is a bone scan"):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert asyncio.run(store.retrieve("new")).events == tracker.events
    assert stored_rows(store) == 3
    assert said(asyncio.run(new_store(tmp_path / "tracker.db").retrieve("new"))) == [
        "what is a bone scan"
    ]


def test_a_conversation_looked_up_empty_then_stored_by_another_worker_is_not_written_twice(
    tmp_path,
):
    path = tmp_path / "tracker.db"
    mine, other = new_store(path), new_store(path)
    assert asyncio.run(mine.retrieve("p")) is None  # a turn that then failed before saving
    asyncio.run(other.save(DialogueStateTracker.from_events("p", turn("hello"))))
    tracker = asyncio.run(mine.get_or_create_tracker("p"))
    for event in turn("and the MRI?"):
        tracker.update(event)
    asyncio.run(mine.save(tracker))
    assert stored_rows(mine) == 4
    assert said(asyncio.run(new_store(path).retrieve("p"))) == ["hello", "and the MRI?"]
