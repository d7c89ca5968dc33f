"""The insights on PostgreSQL, as a scaled-out clinic runs them: Rasa's store records a turn,
the gateway's summary and queue read it, and "forget me" deletes the queued question."""

from __future__ import annotations

import uuid

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine

from bot.insights.recorder import today
from bot.insights.review import Decision, ReviewQueue
from bot.insights.summary import summarise
from bot.rasa_ext.insights_tracker_store import InsightsTrackerStore
from settings import PROJECT_DIR


async def test_a_turn_saved_on_postgres_is_counted_queued_decided_and_forgotten(datastores):
    postgres, _ = datastores
    store = InsightsTrackerStore(domain=Domain.load(PROJECT_DIR / "domain.yml"), host=postgres.url)
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    tracker = DialogueStateTracker(sender, [])
    for event in (
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered(
            "rundown pls, call 312-555-0142",
            intent={"name": "nlu_fallback", "confidence": 0.2},
            parse_data={"intent": {"name": "nlu_fallback", "confidence": 0.2}},
            input_channel="slack",
        ),
        ActionExecuted("action_suggest_topics"),
        BotUttered("Sorry, I'm not sure.", metadata={"utter_action": "utter_not_sure"}),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)
    await store.save(tracker)

    engine = create_engine(postgres.url)
    try:
        summary = summarise(engine, 1, today())
        assert summary["channels"].get("slack", 0) >= 1
        assert summary["totals"]["fallback"] >= 1
        queue = ReviewQueue(engine, 30)
        mine = [q for q in queue.questions(today()) if q["text"] == "rundown pls, call <phone>"]
        assert mine and mine[-1]["channel"] == "slack"
        decided = queue.decide(mine[-1]["id"], Decision("discard"), "Dana", today())
        assert decided["status"] == "discarded"
        assert store.delete_conversation(sender)
        remaining = [q["id"] for q in queue.questions(today(), "all")]
        assert mine[-1]["id"] not in remaining
    finally:
        engine.dispose()
