"""The two tables, kept in the conversation store beside Rasa's `events` table.

Beside it, because "forget me" must delete a conversation's queued questions with its events
(one transaction, `delete_conversation_questions`), and because every Rasa worker already
writes there (SQLite alone, PostgreSQL when scaled out).

`insight_turns` has one row per turn: counts only, no text, no sender id, kept like any
statistics. `review_queue` has the redacted text of questions the assistant could not answer,
linked to their conversation only by a hash of its id (enough to delete them with it), and
deleted after `REVIEW_RETENTION_DAYS`.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    inspect,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

metadata = MetaData()

turns = Table(
    "insight_turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("day", Date, nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("intent", String(64)),
    Column("subject_kind", String(8)),
    Column("subject_id", String(64)),
    Column("answered", Boolean, nullable=False),
    Column("declined", String(32)),
    Column("fallback", Boolean, nullable=False),
    Column("not_on_page", Boolean, nullable=False),
    Column("red_flag", Boolean, nullable=False),
    Column("nurse", Boolean, nullable=False),
    Column("forgot", Boolean, nullable=False),
    Column("new_conversation", Boolean, nullable=False),
    # The gateway answered itself because the assistant failed: "red_flag" or "unavailable".
    Column("gateway_reply", String(16)),
    Column("latency_ms", Integer),
)

# Review states: waiting, labelled with an intent, marked "not on the page", or discarded.
PENDING, LABELLED, NOT_ON_PAGE, DISCARDED = "pending", "labelled", "not_on_page", "discarded"

review_queue = Table(
    "review_queue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation", String(64), nullable=False, index=True),
    Column("asked_on", Date, nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("guess_intent", String(64)),
    Column("guess_confidence", Float),
    Column("subject_kind", String(8)),
    Column("subject_id", String(64)),
    Column("status", String(16), nullable=False, default=PENDING),
    # The reviewer's decision: an intent (with a subject), or a topic the page does not cover.
    Column("label_intent", String(64)),
    Column("label_subject_kind", String(8)),
    Column("label_subject_id", String(64)),
    Column("label_topic", String(32)),
    Column("reviewer", String(64)),
    Column("reviewed_on", Date),
)


def conversation_key(sender_id: str) -> str:
    """What links a queued question to its conversation, without keeping the id itself."""
    return hashlib.sha256(f"bonemets-review:{sender_id}".encode()).hexdigest()


def create_tables(engine: Engine) -> None:
    """Creates the tables if missing. Rasa and the gateway may both try at once: a loser of
    that race finds the tables made by the other."""
    try:
        metadata.create_all(engine, checkfirst=True)
    except SQLAlchemyError:
        metadata.create_all(engine, checkfirst=True)


def delete_conversation_questions(connection: Connection, sender_id: str) -> int:
    """Deletes a conversation's queued questions ("forget me"); returns how many."""
    if not inspect(connection).has_table(review_queue.name):
        return 0
    result = connection.execute(
        delete(review_queue).where(review_queue.c.conversation == conversation_key(sender_id))
    )
    return result.rowcount
