"""The tracker store Rasa loads records each turn once, as it saves, on a real SQLite store."""

from __future__ import annotations

import sqlite3

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.insights_tracker_store import InsightsTrackerStore
from settings import PROJECT_DIR


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(PROJECT_DIR / "domain.yml")


@pytest.fixture
def store(tmp_path, domain) -> InsightsTrackerStore:
    return InsightsTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 'tracker.db'}")


def rows(store: InsightsTrackerStore, table: str) -> list[dict]:
    with sqlite3.connect(store.engine.url.database) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(f"select * from {table}")]


def asked(tracker: DialogueStateTracker, text: str, intent: str, confidence: float) -> None:
    tracker.update(
        UserUttered(
            text,
            intent={"name": intent, "confidence": confidence},
            parse_data={"intent": {"name": intent, "confidence": confidence}, "text": text},
            input_channel="rest",
        )
    )


async def test_each_turn_is_recorded_once_as_it_is_saved(store, domain):
    tracker = DialogueStateTracker("patient-1", domain.slots)
    for event in (
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)
    asked(tracker, "what is a bone scan", "ask_what_is", 0.97)
    tracker.update(ActionExecuted("action_explain"))
    tracker.update(BotUttered("A bone scan makes a picture of your whole skeleton."))
    tracker.update(SlotSet("current_test", "bone_scan"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    # The next message, as Rasa handles it: the conversation read back, a turn added, saved.
    tracker = await store.retrieve("patient-1")
    await store.save(tracker)  # nothing new: nothing recorded
    asked(tracker, "rundown pls, call 312-555-0142", "nlu_fallback", 0.2)
    tracker.update(ActionExecuted("action_suggest_topics"))
    tracker.update(BotUttered("Sorry, I'm not sure.", metadata={"utter_action": "utter_not_sure"}))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)

    turns = rows(store, "insight_turns")
    assert [(t["intent"], t["answered"], t["fallback"], t["new_conversation"]) for t in turns] == [
        ("ask_what_is", 1, 0, 1),
        ("nlu_fallback", 0, 1, 0),
    ]
    assert turns[0]["subject_id"] == "bone_scan"
    (queued,) = rows(store, "review_queue")
    assert queued["text"] == "rundown pls, call <phone>"
    # The conversation itself is saved as Rasa saves it.
    saved = [e["type_name"] for e in rows(store, "events")]
    assert saved.count("user") == 2 and saved.count("bot") == 2


async def test_a_broken_turn_never_costs_the_conversation(store, domain, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise KeyError("unexpected event")

    monkeypatch.setattr("bot.rasa_ext.insights_tracker_store.read_turns", broken)
    tracker = DialogueStateTracker("patient-2", domain.slots)
    asked(tracker, "hi", "greet", 0.99)
    await store.save(tracker)
    assert [e["type_name"] for e in rows(store, "events")] == ["user"]
    assert "could not read a turn for the insights: KeyError" in caplog.text


async def test_forget_me_deletes_the_conversations_queued_questions_with_its_events(store, domain):
    """Rasa deletes a conversation (bot/rasa_ext/forget_channel.py) and its questions waiting
    for review go in the same transaction; another conversation's stay."""
    for sender in ("patient-a", "patient-b"):
        tracker = DialogueStateTracker(sender, domain.slots)
        tracker.update(ActionExecuted("action_listen"))
        asked(tracker, f"rundown pls from {sender}", "nlu_fallback", 0.2)
        tracker.update(ActionExecuted("action_suggest_topics"))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
    assert len(rows(store, "review_queue")) == 2
    assert store.delete_conversation("patient-a")
    assert [row["text"] for row in rows(store, "review_queue")] == ["rundown pls from patient-b"]
    assert not [row for row in rows(store, "events") if row["sender_id"] == "patient-a"]
