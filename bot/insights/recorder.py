"""Writes turns: their counts, and their questions (redacted) to the review queue when it is on.

Used where turns happen: in Rasa as it saves a conversation, and in the gateway when it had to
answer itself. Recording never fails the conversation: a database error is logged by its type
only (SQLAlchemy's message would quote the values, the question's text among them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Table, delete, insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.insights.redaction import redact
from bot.insights.tables import (
    PENDING,
    conversation_key,
    create_tables,
    review_queue,
    turns,
)
from bot.insights.turns import Turn

logger = logging.getLogger(__name__)


def today() -> date:
    return datetime.now(timezone.utc).date()


def purge_expired_questions(connection: Connection | Session, retention_days: int, on: date) -> int:
    """Deletes questions asked more than `retention_days` days before `on`."""
    cutoff = on - timedelta(days=retention_days)
    return connection.execute(delete(review_queue).where(review_queue.c.asked_on < cutoff)).rowcount


class TurnRecorder:
    def __init__(self, engine: Engine, review_queue_on: bool, retention_days: int) -> None:
        self.engine = engine
        self.review_queue_on = review_queue_on
        self.retention_days = retention_days
        self._tables_ready = False

    def ensure_tables(self) -> None:
        if not self._tables_ready:
            create_tables(self.engine)
            self._tables_ready = True

    def record(self, sender_id: str, recorded: Iterable[Turn]) -> None:
        """Writes the turns in a transaction of their own."""
        try:
            self.ensure_tables()
            with self.engine.begin() as connection:
                self.write(connection, sender_id, list(recorded))
        except SQLAlchemyError as error:
            logger.warning("could not record a turn for the insights: %s", type(error).__name__)

    def write(self, connection: Connection | Session, sender_id: str, recorded: list[Turn]) -> None:
        """Adds the turns' rows to the caller's transaction. Every value is cut to its column,
        so a button payload with a made-up entity cannot make the insert fail where the
        conversation's own insert would not."""
        queued = False
        for turn in recorded:
            connection.execute(insert(turns), fitted(turns, turn.counts()))
            question = turn.question
            if question is None or not self.review_queue_on:
                continue
            row = {
                "conversation": conversation_key(sender_id),
                "asked_on": turn.day,
                "channel": turn.channel,
                "text": redact(question.text),
                "reason": question.reason,
                "guess_intent": question.intent,
                "guess_confidence": question.confidence,
                "subject_kind": turn.subject_kind,
                "subject_id": turn.subject_id,
                "status": PENDING,
            }
            connection.execute(insert(review_queue), fitted(review_queue, row))
            queued = True
        if queued:
            purge_expired_questions(connection, self.retention_days, today())


def fitted(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """The row with each text cut to its column's length."""
    fitted_row = dict(row)
    for column in table.columns:
        value = fitted_row.get(column.name)
        length = getattr(column.type, "length", None)
        if isinstance(value, str) and length:
            fitted_row[column.name] = value[:length]
    return fitted_row
