"""Recording turns: counts always, questions only when the queue is on, redacted, and never a
patient's personal data anywhere in what is stored."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import create_engine, inspect, select, text

from bot.insights.recorder import TurnRecorder, purge_expired_questions
from bot.insights.tables import review_queue, turns
from tests.bot.insights.conftest import TODAY, a_turn, an_unanswered

# Known personal data, fed through as patients would type it.
PERSONAL = {
    "Margaret Okafor": "my name is Margaret Okafor, what is the workup",
    "m.okafor@example.com": "send it to m.okafor@example.com, lowdown pls",
    "(312) 555-0142": "rundown pls, call (312) 555-0142",
    "14/02/1957": "born 14/02/1957 is the bone scan safe",
    "4471209": "MRN 4471209 lineup?",
    "https://portal.example.org/okafor": "https://portal.example.org/okafor lowdown",
}


def everything_stored(engine) -> str:
    """Every value of every row of every table, as one text."""
    with engine.connect() as connection:
        rows = [
            row
            for table in inspect(connection).get_table_names()
            for row in connection.execute(text(f"select * from {table}"))
        ]
    return "\n".join(str(value) for row in rows for value in row)


def test_known_personal_data_fed_through_is_nowhere_in_the_store(engine):
    recorder = TurnRecorder(engine, review_queue_on=True, retention_days=30)
    recorder.record("patient-1", [an_unanswered(typed) for typed in PERSONAL.values()])
    stored = everything_stored(engine)
    assert stored.count("fallback") >= len(PERSONAL)  # the questions are there, redacted
    for datum in PERSONAL:
        for part in datum.split():
            assert part not in stored, part
    assert "patient-1" not in stored


def test_counts_are_kept_and_no_text_when_the_queue_is_off(engine):
    TurnRecorder(engine, review_queue_on=False, retention_days=30).record(
        "p1", [a_turn(), an_unanswered("rundown pls")]
    )
    with engine.connect() as connection:
        assert len(connection.execute(select(turns)).all()) == 2
        assert connection.execute(select(review_queue)).all() == []


def test_a_queued_question_is_stored_redacted_with_the_guess(engine):
    TurnRecorder(engine, review_queue_on=True, retention_days=30).record(
        "p1", [an_unanswered("scan on 12/03/2024, rundown pls")]
    )
    with engine.connect() as connection:
        (row,) = connection.execute(select(review_queue)).mappings().all()
    assert row["text"] == "scan on <date>, rundown pls"
    assert (row["reason"], row["guess_intent"], row["status"]) == (
        "fallback",
        "nlu_fallback",
        "pending",
    )
    assert row["conversation"] != "p1"


def test_questions_older_than_the_retention_are_deleted(engine):
    recorder = TurnRecorder(engine, review_queue_on=True, retention_days=30)
    recorder.record("p1", [an_unanswered("kept one", day=TODAY - timedelta(days=30))])
    with engine.begin() as connection:
        assert purge_expired_questions(connection, 30, TODAY + timedelta(days=1)) == 1
    # Recording a question purges too.
    recorder.record("p1", [an_unanswered("old one", day=TODAY - timedelta(days=31))])
    recorder.record("p1", [an_unanswered("kept one", day=TODAY - timedelta(days=30))])
    with engine.connect() as connection:
        texts = connection.execute(select(review_queue.c.text)).scalars().all()
    assert texts == ["kept one"]


def test_a_store_that_cannot_be_written_costs_nothing_but_the_count(tmp_path, caplog):
    unreachable = create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'tracker.db'}")
    broken = TurnRecorder(unreachable, review_queue_on=True, retention_days=30)
    broken.record("p1", [an_unanswered("my name is Ann")])
    assert "could not record a turn" in caplog.text
    assert "Ann" not in caplog.text
