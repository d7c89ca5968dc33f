"""`python -m eval.bench.insights_cost`: what counting turns costs Rasa's save, per turn.

Saves the same conversations (20 turns each, one in four "not sure" and so queued for review)
through four tracker stores on SQLite files, taking turns so that a busy machine slows all
alike, and prints the median and 95th percentile time of a save:

- Rasa's SQL store as the project had it (the baseline);
- the insights store: the turn's rows in Rasa's own transaction (bot/rasa_ext/);
- the same rows in a transaction of their own, after Rasa's save;
- Rasa's event broker (one that does nothing with the events): its cost of finding them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.insights.recorder import TurnRecorder
from bot.insights.turns import read_turns
from bot.rasa_ext.insights_tracker_store import InsightsTrackerStore
from bot.rasa_ext.tracker_store import PingingSQLTrackerStore
from settings import PROJECT_DIR

TURNS = 20


class IgnoringBroker(EventBroker):
    def publish(self, event: dict[str, Any]) -> None:
        pass


class OwnTransactionStore(PingingSQLTrackerStore):
    """The alternative not taken: record after Rasa's save, in a transaction of its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recorder = TurnRecorder(self.engine, review_queue_on=True, retention_days=30)

    async def save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            stored = self._event_query(
                session, tracker.sender_id, fetch_events_from_all_sessions=False
            ).count()
        await super().save(tracker)
        new = list(tracker.events)[stored:]
        self.recorder.record(tracker.sender_id, read_turns([e.as_dict() for e in new]))


def one_turn(tracker: DialogueStateTracker, number: int) -> None:
    not_sure = number % 4 == 3
    intent = {"name": "nlu_fallback" if not_sure else "ask_what_is"}
    intent["confidence"] = 0.2 if not_sure else 0.9
    tracker.update(
        UserUttered(
            f"question {number} about the bone scan",
            intent=intent,
            parse_data={"intent": intent, "text": "question"},
            input_channel="rest",
        )
    )
    tracker.update(ActionExecuted("action_suggest_topics" if not_sure else "action_explain"))
    tracker.update(
        BotUttered("An answer.", metadata={"utter_action": "utter_not_sure"} if not_sure else {})
    )
    if not not_sure:
        tracker.update(SlotSet("current_test", "bone_scan"))
    tracker.update(ActionExecuted("action_listen"))


async def conversation(store: PingingSQLTrackerStore, sender: str) -> list[float]:
    """Milliseconds of each save, the conversation read back before each turn as Rasa does."""
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    for event in (
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)
    await store.save(tracker)
    times = []
    for number in range(TURNS):
        tracker = await store.retrieve(sender)
        one_turn(tracker, number)
        began = time.perf_counter()
        await store.save(tracker)
        times.append((time.perf_counter() - began) * 1000)
    return times


async def measure(conversations: int, folder: Path) -> dict[str, list[float]]:
    domain = Domain.load(PROJECT_DIR / "domain.yml")

    def url(name: str) -> str:
        return f"sqlite:///{folder / name}.db"

    stores: dict[str, PingingSQLTrackerStore] = {
        "Rasa's SQL store (baseline)": PingingSQLTrackerStore(domain=domain, host=url("plain")),
        "insights, in Rasa's transaction": InsightsTrackerStore(domain=domain, host=url("hook")),
        "insights, own transaction": OwnTransactionStore(domain=domain, host=url("own")),
        "Rasa's event broker, doing nothing": PingingSQLTrackerStore(
            domain=domain, host=url("broker"), event_broker=IgnoringBroker()
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in stores}
    for number in range(conversations):
        for name, store in stores.items():
            times[name] += await conversation(store, f"patient-{number}")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        times = asyncio.run(measure(args.conversations, Path(folder)))
    baseline = statistics.median(times["Rasa's SQL store (baseline)"])
    print(f"{'save of one turn':40} {'median':>8} {'p95':>8} {'added':>8}")
    for name, values in times.items():
        values.sort()
        median = statistics.median(values)
        p95 = values[int(len(values) * 0.95)]
        print(f"{name:40} {median:7.1f}ms {p95:7.1f}ms {median - baseline:+7.1f}ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
