"""The tracker store every Rasa worker loads: the SQL store, recording each turn as it saves.

Counting here, rather than in the gateway or an event broker, because Rasa saves every turn of
every channel here (the gateway never sees Slack's and Teams' replies), with the settled intent
and the reading the gateway never gets. And it is the cheapest place: a turn's rows go into the
same transaction as its events, at the point where Rasa's save has found which events are new
(`_additional_events`). Rasa's event broker would see the same events, but it finds them by
loading the whole conversation again on every save (`TrackerStore.stream_events`), and a
transaction of our own would add a second commit, on SQLite a second flush to disk.
`python -m eval.bench.insights_cost` measures the three: on SQLite the hook adds about a
millisecond to a save, the other two about ten each.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from rasa.shared.core.events import ActiveLoop
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import Session

from bot.insights.recorder import TurnRecorder
from bot.insights.tables import delete_conversation_questions
from bot.insights.turns import read_turns
from bot.rasa_ext.tracker_store import PingingSQLTrackerStore
from settings.bot import get_settings

logger = logging.getLogger(__name__)


class InsightsTrackerStore(PingingSQLTrackerStore):
    """Rasa's SQL tracker store (with pooled connections checked) that records turns."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.recorder = TurnRecorder(
            self.engine, settings.review_queue_on, settings.review_retention_days
        )
        self.recorder.ensure_tables()

    def _additional_events(self, session: Session, tracker: DialogueStateTracker) -> Iterator:
        """Rasa's own choice of the events this save adds, and the turns among them recorded
        in the same session, so they are committed with the events or not at all."""
        new = list(super()._additional_events(session, tracker))
        if any(event.type_name == "user" for event in new):
            events = list(tracker.events)
            previous = events[: len(events) - len(new)]
            try:
                turns = list(
                    read_turns(
                        [event.as_dict() for event in new], form_active=_form_active(previous)
                    )
                )
            except Exception as error:  # a count is never worth a conversation
                logger.warning("could not read a turn for the insights: %s", type(error).__name__)
            else:
                self.recorder.write(session, tracker.sender_id, turns)
        return iter(new)

    def _delete_kept_with(self, session: Session, sender_id: str) -> None:
        # "Forget me" and the retention job: its questions waiting for review go too.
        delete_conversation_questions(session.connection(), sender_id)


def _form_active(events: list[Any]) -> bool:
    """Whether a form was asking its question when these events ended."""
    for event in reversed(events):
        if isinstance(event, ActiveLoop):
            return bool(event.name)
    return False
