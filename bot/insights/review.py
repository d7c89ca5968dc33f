"""The review queue as staff use it: list the redacted questions, record a decision on one.

A decision is one of three: the intent (and subject) the assistant should have read; "not on
the page", with the topic the page does not cover (`content/reading.yml`), so the assistant
learns to say so honestly; or "discard" (not a question, or nothing to learn from). Labelled
questions wait for `make review-export` (`export.py`). Every read first deletes questions past
their retention, so none is shown or exported after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import inspect, select, update
from sqlalchemy.engine import Engine

from bot.insights.recorder import purge_expired_questions
from bot.insights.tables import (
    DISCARDED,
    LABELLED,
    NOT_ON_PAGE,
    PENDING,
    create_tables,
    review_queue,
)

Status = Literal["pending", "reviewed", "all"]
REVIEWED = (LABELLED, NOT_ON_PAGE, DISCARDED)


class QuestionNotFound(Exception):
    """No queued question has that id (never queued, or deleted since)."""


@dataclass(frozen=True)
class Decision:
    action: Literal["label", "not_on_page", "discard"]
    intent: str | None = None
    subject_kind: str | None = None
    subject_id: str | None = None
    topic: str | None = None


class ReviewQueue:
    def __init__(self, engine: Engine, retention_days: int) -> None:
        self.engine = engine
        self.retention_days = retention_days

    def questions(self, on: date, status: Status = "pending") -> list[dict[str, Any]]:
        """The queued questions, oldest first; `reviewed` ones carry their decision."""
        with self.engine.begin() as connection:
            if not inspect(connection).has_table(review_queue.name):
                return []
            purge_expired_questions(connection, self.retention_days, on)
            query = select(review_queue).order_by(review_queue.c.asked_on, review_queue.c.id)
            if status == "pending":
                query = query.where(review_queue.c.status == PENDING)
            elif status == "reviewed":
                query = query.where(review_queue.c.status.in_(REVIEWED))
            return [_as_item(row) for row in connection.execute(query).mappings()]

    def decide(self, question_id: int, decision: Decision, reviewer: str, on: date) -> dict:
        create_tables(self.engine)
        with self.engine.begin() as connection:
            purge_expired_questions(connection, self.retention_days, on)
            values = {
                "status": {"label": LABELLED, "not_on_page": NOT_ON_PAGE}.get(
                    decision.action, DISCARDED
                ),
                "label_intent": decision.intent,
                "label_subject_kind": decision.subject_kind,
                "label_subject_id": decision.subject_id,
                "label_topic": decision.topic,
                "reviewer": reviewer,
                "reviewed_on": on,
            }
            changed = connection.execute(
                update(review_queue).where(review_queue.c.id == question_id).values(**values)
            ).rowcount
            if not changed:
                raise QuestionNotFound(question_id)
            row = connection.execute(
                select(review_queue).where(review_queue.c.id == question_id)
            ).mappings()
            return _as_item(row.one())


def _as_item(row: Any) -> dict[str, Any]:
    """A queued question as the API shows it: never the conversation it came from."""
    item = {
        "id": row["id"],
        "asked_on": row["asked_on"].isoformat(),
        "channel": row["channel"],
        "text": row["text"],
        "reason": row["reason"],
        "guess": {
            "intent": row["guess_intent"],
            "confidence": row["guess_confidence"],
            "subject": _subject(row["subject_kind"], row["subject_id"]),
        },
        "status": row["status"],
    }
    if row["status"] != PENDING:
        item["decision"] = {
            "intent": row["label_intent"],
            "subject": _subject(row["label_subject_kind"], row["label_subject_id"]),
            "topic": row["label_topic"],
            "reviewer": row["reviewer"],
            "reviewed_on": row["reviewed_on"].isoformat() if row["reviewed_on"] else None,
        }
    return item


def _subject(kind: str | None, subject_id: str | None) -> dict[str, str] | None:
    return {"kind": kind, "id": subject_id} if kind and subject_id else None
