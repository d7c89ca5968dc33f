"""The tracker store every Rasa worker loads: the SQL store, recording each turn as it saves.

Counting here, rather than in the gateway or an event broker, because Rasa saves every turn of
every channel here (the gateway never sees Slack's and Teams' replies), with the settled intent
and the reading the gateway never gets. Rasa's event broker would see the same events, but to
find a save's new events it loads the whole conversation again on every save
(`TrackerStore.stream_events`); here they are the events the save itself adds, found with the
one count query Rasa's save already makes.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.shared.core.events import ActiveLoop
from rasa.shared.core.trackers import DialogueStateTracker

from bot.insights.recorder import TurnRecorder
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

    async def save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            stored = self._event_query(
                session, tracker.sender_id, fetch_events_from_all_sessions=False
            ).count()
        await super().save(tracker)
        events = list(tracker.events)
        previous, new = events[:stored], events[stored:]
        if not any(event.type_name == "user" for event in new):
            return
        try:
            turns = list(
                read_turns([event.as_dict() for event in new], form_active=_form_active(previous))
            )
        except Exception as error:  # a count is never worth a conversation
            logger.warning("could not read a turn for the insights: %s", type(error).__name__)
            return
        self.recorder.record(tracker.sender_id, turns)


def _form_active(events: list[Any]) -> bool:
    """Whether a form was asking its question when these events ended."""
    for event in reversed(events):
        if isinstance(event, ActiveLoop):
            return bool(event.name)
    return False
