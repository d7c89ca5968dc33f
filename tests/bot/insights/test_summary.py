"""The counters: what the staff page and `GET /staff/api/summary` show."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from bot.insights.recorder import TurnRecorder
from bot.insights.summary import DAY_COLUMNS, as_csv, summarise
from bot.insights.turns import gateway_turn
from tests.bot.insights.conftest import TODAY, a_turn, an_unanswered

YESTERDAY = TODAY - timedelta(days=1)


def recorded(engine, *turns) -> None:
    TurnRecorder(engine, review_queue_on=True, retention_days=30).record("p1", list(turns))


def test_an_empty_store_gives_zeros_for_every_day(engine):
    summary = summarise(engine, 7, TODAY)
    assert [d["day"] for d in summary["per_day"]][-1] == TODAY.isoformat()
    assert len(summary["per_day"]) == 7
    assert summary["totals"] == dict.fromkeys(DAY_COLUMNS, 0)
    assert summary["rates"]["answered"] == 0.0
    assert summary["latency_ms"] == {"median": None, "p95": None}


def test_each_outcome_is_counted_per_day_and_as_a_rate(engine):
    recorded(
        engine,
        a_turn(new_conversation=True, latency_ms=10),
        a_turn(latency_ms=20),
        a_turn(answered=False, declined="costs", subject_id="mri", latency_ms=30),
        an_unanswered("rundown pls", latency_ms=40),
        a_turn(answered=False, red_flag=True, subject_id=None, subject_kind=None, latency_ms=50),
        a_turn(day=YESTERDAY, new_conversation=True, nurse=True, answered=False, latency_ms=900),
        a_turn(day=YESTERDAY, forgot=True, answered=False, channel="slack", latency_ms=None),
        gateway_turn("unavailable", TODAY),
    )
    summary = summarise(engine, 30, TODAY)
    today_counts = summary["per_day"][-1]
    assert today_counts == {
        "day": TODAY.isoformat(),
        "conversations": 1,
        "messages": 6,
        "answered": 2,
        "declined": 1,
        "fallback": 1,
        "not_on_page": 0,
        "red_flag": 1,
        "nurse": 0,
        "forgot": 0,
        "gateway_replies": 1,
    }
    yesterday = summary["per_day"][-2]
    assert (yesterday["conversations"], yesterday["messages"], yesterday["nurse"]) == (1, 2, 1)
    totals = summary["totals"]
    assert (totals["messages"], totals["conversations"], totals["forgot"]) == (8, 2, 1)
    assert summary["rates"]["answered"] == 0.25
    assert summary["rates"]["red_flag"] == 0.125
    assert summary["channels"] == {"web": 7, "slack": 1}
    assert summary["declines"] == {"costs": 1}
    assert summary["latency_ms"] == {"median": 30, "p95": 900}


def test_top_subjects_are_ordered_by_messages_with_their_names(engine):
    recorded(
        engine,
        a_turn(subject_id="mri"),
        a_turn(subject_id="mri", answered=False),
        a_turn(subject_id="bone_scan"),
        a_turn(subject_kind="term", subject_id="lytic"),
    )
    names = {("test", "mri"): "MRI scan", ("test", "bone_scan"): "bone scan"}
    summary = summarise(engine, 30, TODAY, lambda kind, i: names.get((kind, i), i))
    assert summary["subjects"][0] == {
        "kind": "test",
        "id": "mri",
        "name": "MRI scan",
        "messages": 2,
        "answered": 1,
    }
    assert [s["id"] for s in summary["subjects"]] == ["mri", "bone_scan", "lytic"]


def test_days_outside_the_period_are_not_counted(engine):
    recorded(engine, a_turn(day=TODAY - timedelta(days=7)), a_turn(day=TODAY - timedelta(days=6)))
    assert summarise(engine, 7, TODAY)["totals"]["messages"] == 1
    assert summarise(engine, 8, TODAY)["totals"]["messages"] == 2


def test_the_csv_has_a_row_per_day_that_a_spreadsheet_reads(engine):
    recorded(engine, a_turn(new_conversation=True), a_turn(red_flag=True, answered=False))
    rows = list(csv.DictReader(io.StringIO(as_csv(summarise(engine, 3, TODAY)))))
    assert [row["day"] for row in rows] == [
        (TODAY - timedelta(days=n)).isoformat() for n in (2, 1, 0)
    ]
    assert rows[-1]["messages"] == "2" and rows[-1]["red_flag"] == "1"
    assert rows[-1]["conversations"] == "1"
