"""The retention job: deletes what is old and only that, run by one process per interval."""

from __future__ import annotations

import asyncio
import sqlite3
import time

from bot.gateway.conversations import ConversationStore
from bot.gateway.retention import DAY_SECONDS, Schedule
from tests.bot.gateway.conftest import make_tracker_db, send


def add_events(db_path, sender: str, age_days: float) -> None:
    at = time.time() - age_days * DAY_SECONDS
    with sqlite3.connect(db_path) as db:
        rows = [(sender, "user", at - 60), (sender, "bot", at)]
        db.executemany(
            "insert into events (sender_id, type_name, timestamp) values (?, ?, ?)", rows
        )


def senders(db_path, table: str) -> set[str]:
    with sqlite3.connect(db_path) as db:
        return {row[0] for row in db.execute(f"select distinct sender_id from {table}")}


def test_retention_deletes_only_conversations_idle_past_the_retention_days(
    make_client, fake_rasa, tmp_path
):
    db_path = fake_rasa.tracker_db = make_tracker_db(tmp_path / "tracker.db")
    client = make_client(tracker_store_url=f"sqlite:///{db_path}", retention_days=30)
    send(client, "web-new", "hi")
    add_events(db_path, "web-new", age_days=29)  # its latest event is now: kept
    add_events(db_path, "U0123ABCD_C0456EFGH", age_days=31)  # a nurse's, from Slack
    add_events(db_path, "web-31-days", age_days=31)
    add_events(db_path, "web-29-days", age_days=29)
    deleted = asyncio.run(client.app.state.retention.run_once())
    assert deleted == 2
    assert senders(db_path, "events") == {"web-new", "web-29-days"}
    assert senders(db_path, "conversation_tokens") == {"web-new"}
    assert sorted(fake_rasa.alerts_forgotten[0]) == ["U0123ABCD_C0456EFGH", "web-31-days"]
    assert send(client, "web-new", "still here").status_code == 200


def test_retention_finishes_a_deletion_that_a_failing_part_interrupted(
    make_client, fake_rasa, tmp_path
):
    db_path = fake_rasa.tracker_db = make_tracker_db(tmp_path / "tracker.db")
    client = make_client(tracker_store_url=f"sqlite:///{db_path}")
    send(client, "web-1", "hi")
    token = client.app.state.test_tokens["web-1"]
    fake_rasa.actions_up = False
    assert (
        client.delete("/conversations/web-1", headers={"X-Conversation-Token": token}).status_code
        == 503
    )
    assert senders(db_path, "conversation_tokens") == {"web-1"}
    fake_rasa.actions_up = True
    assert asyncio.run(client.app.state.retention.run_once()) == 1
    assert senders(db_path, "conversation_tokens") == set()
    assert senders(db_path, "events") == set()


def test_only_one_of_two_processes_runs_the_job_each_interval(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    first = Schedule(ConversationStore(url), interval_seconds=3600)
    second = Schedule(ConversationStore(url), interval_seconds=3600)
    now = 1_000_000.0
    assert [first.claim("retention", now), second.claim("retention", now)] == [True, False]
    assert not first.claim("retention", now + 3599)
    assert not second.claim("retention", now + 3599)
    later = now + 3600
    assert [second.claim("retention", later), first.claim("retention", later)] == [True, False]
