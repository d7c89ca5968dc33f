"""The clinic's counts over the last days: per day, per subject, per channel, and rates.

Days are UTC calendar days, as the turns were recorded. Every day of the period is listed, a
day without messages with zeros, so a chart's gaps are real gaps.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, inspect, select
from sqlalchemy.engine import Engine

from bot.insights.tables import turns

# Outcomes counted per day; each rate is its count over the messages of the period.
OUTCOMES = ("answered", "declined", "fallback", "not_on_page", "red_flag", "nurse", "forgot")
DAY_COLUMNS = ("conversations", "messages", *OUTCOMES, "gateway_replies")
TOP_SUBJECTS = 10


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


_PER_DAY = {
    "conversations": _count(turns.c.new_conversation == True),  # noqa: E712 (SQL, not Python)
    "messages": func.count(),
    "answered": _count(turns.c.answered == True),  # noqa: E712
    "declined": _count(turns.c.declined.is_not(None)),
    "fallback": _count(turns.c.fallback == True),  # noqa: E712
    "not_on_page": _count(turns.c.not_on_page == True),  # noqa: E712
    "red_flag": _count(turns.c.red_flag == True),  # noqa: E712
    "nurse": _count(turns.c.nurse == True),  # noqa: E712
    "forgot": _count(turns.c.forgot == True),  # noqa: E712
    "gateway_replies": _count(turns.c.gateway_reply.is_not(None)),
}


def summarise(
    engine: Engine,
    days: int,
    on: date,
    subject_name: Callable[[str, str], str] = lambda kind, subject_id: subject_id,
) -> dict[str, Any]:
    """The counts of the `days` days up to and including `on`."""
    first = on - timedelta(days=days - 1)
    period = turns.c.day.between(first, on)
    per_day = {first + timedelta(days=n): dict.fromkeys(DAY_COLUMNS, 0) for n in range(days)}
    subjects: list[dict[str, Any]] = []
    channels: dict[str, int] = {}
    declines: dict[str, int] = {}
    latencies: list[int] = []
    with engine.connect() as connection:
        if inspect(connection).has_table(turns.name):
            columns = [column.label(name) for name, column in _PER_DAY.items()]
            for row in connection.execute(
                select(turns.c.day, *columns).where(period).group_by(turns.c.day)
            ):
                per_day[row.day] = {name: int(row[name] or 0) for name in DAY_COLUMNS}
            subject_rows = connection.execute(
                select(
                    turns.c.subject_kind,
                    turns.c.subject_id,
                    func.count().label("messages"),
                    _count(turns.c.answered == True).label("answered"),  # noqa: E712
                )
                .where(period, turns.c.subject_id.is_not(None))
                .group_by(turns.c.subject_kind, turns.c.subject_id)
                .order_by(func.count().desc(), turns.c.subject_id)
                .limit(TOP_SUBJECTS)
            )
            subjects = [
                {
                    "kind": row.subject_kind,
                    "id": row.subject_id,
                    "name": subject_name(row.subject_kind, row.subject_id),
                    "messages": int(row.messages),
                    "answered": int(row.answered or 0),
                }
                for row in subject_rows
            ]
            channels = _grouped(connection, turns.c.channel, period)
            declines = _grouped(connection, turns.c.declined, period, turns.c.declined.is_not(None))
            latencies = sorted(
                connection.execute(
                    select(turns.c.latency_ms).where(period, turns.c.latency_ms.is_not(None))
                ).scalars()
            )
    totals = {name: sum(day[name] for day in per_day.values()) for name in DAY_COLUMNS}
    messages = totals["messages"]
    return {
        "days": days,
        "from": first.isoformat(),
        "to": on.isoformat(),
        "totals": totals,
        "rates": {
            name: round(totals[name] / messages, 4) if messages else 0.0 for name in OUTCOMES
        },
        "per_day": [{"day": day.isoformat(), **counts} for day, counts in per_day.items()],
        "subjects": subjects,
        "channels": channels,
        "declines": declines,
        "latency_ms": {"median": _percentile(latencies, 50), "p95": _percentile(latencies, 95)},
    }


def _grouped(connection: Any, column: Any, *where: Any) -> dict[str, int]:
    rows = connection.execute(
        select(column, func.count()).where(*where).group_by(column).order_by(func.count().desc())
    )
    return {str(value): int(count) for value, count in rows}


def _percentile(ordered: list[int], percent: int) -> int | None:
    """Nearest-rank percentile of sorted values."""
    if not ordered:
        return None
    rank = max(1, -(-percent * len(ordered) // 100))
    return ordered[rank - 1]


def as_csv(summary: dict[str, Any]) -> str:
    """One row per day, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["day", *DAY_COLUMNS])
    for day in summary["per_day"]:
        writer.writerow([day["day"], *(day[name] for name in DAY_COLUMNS)])
    return out.getvalue()
