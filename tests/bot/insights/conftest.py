"""A real SQLite conversation store, and turns made the way Rasa's events make them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from bot.insights.recorder import today
from bot.insights.turns import Question, Turn

# Questions are purged by the real calendar, so the tests' days count from the real today.
TODAY: date = today()


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:
    made = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    yield made
    made.dispose()


def a_turn(**changes) -> Turn:
    """An answered question about the bone scan, today, on the website; change what you need."""
    answered = Turn(
        day=TODAY,
        channel="web",
        intent="ask_what_is",
        subject_kind="test",
        subject_id="bone_scan",
        answered=True,
        declined=None,
        fallback=False,
        not_on_page=False,
        red_flag=False,
        nurse=False,
        forgot=False,
        new_conversation=False,
        latency_ms=40,
    )
    return replace(answered, **changes)


def an_unanswered(text: str, **changes) -> Turn:
    return a_turn(
        intent="nlu_fallback",
        subject_kind=None,
        subject_id=None,
        answered=False,
        fallback=True,
        question=Question(text, "fallback", "nlu_fallback", 0.2),
        **changes,
    )
