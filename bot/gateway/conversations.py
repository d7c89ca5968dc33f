"""Deletes one conversation from Rasa's SQL tracker store ("forget me").

Rasa keeps a conversation as rows of its `events` table, one per event, keyed by sender id.
Deleting those rows deletes the conversation: the next message from that sender starts a new
one. Works for SQLite and PostgreSQL alike, through the same SQLAlchemy URL Rasa uses.
"""

from __future__ import annotations

import logging

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.insights.tables import delete_conversation_questions

logger = logging.getLogger(__name__)

# The table of Rasa's SQLTrackerStore (rasa.core.tracker_store.SQLTrackerStore.SQLEvent).
EVENTS_TABLE = "events"


class ConversationStoreUnavailable(Exception):
    """The tracker store could not be reached or refused the deletion."""


class ConversationStore:
    def __init__(self, url: str) -> None:
        self._url = url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        # Made on first use: a gateway whose store is down still starts and answers /healthz.
        if self._engine is None:
            self._engine = create_engine(self._url, pool_pre_ping=True)
        return self._engine

    def delete(self, sender_id: str) -> int:
        """Deletes every stored event of the conversation; returns how many there were."""
        try:
            with self.engine.begin() as connection:
                if not inspect(connection).has_table(EVENTS_TABLE):
                    return 0
                result = connection.execute(
                    text(f"DELETE FROM {EVENTS_TABLE} WHERE sender_id = :sender_id"),
                    {"sender_id": sender_id},
                )
                deleted = result.rowcount
                # Its questions waiting for staff review go with it (bot/insights/).
                delete_conversation_questions(connection, sender_id)
        except SQLAlchemyError as error:
            raise ConversationStoreUnavailable(type(error).__name__) from error
        logger.info("forgot a conversation: %d events deleted", deleted)
        return deleted

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
