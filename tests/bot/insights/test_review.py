"""The review queue: listing and deciding (deletion with the conversation: the tracker store's
tests)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.insights.recorder import TurnRecorder
from bot.insights.review import Decision, QuestionNotFound, ReviewQueue
from tests.bot.insights.conftest import TODAY, a_turn, an_unanswered


@pytest.fixture
def queue(engine) -> ReviewQueue:
    recorder = TurnRecorder(engine, review_queue_on=True, retention_days=30)
    recorder.record("patient-a", [an_unanswered("rundown pls"), a_turn()])
    recorder.record("patient-b", [an_unanswered("lowdown, call 312-555-0142")])
    return ReviewQueue(engine, retention_days=30)


def test_pending_questions_are_listed_oldest_first_without_their_conversation(queue):
    items = queue.questions(TODAY)
    assert [i["text"] for i in items] == ["rundown pls", "lowdown, call <phone>"]
    assert items[0]["guess"] == {"intent": "nlu_fallback", "confidence": 0.2, "subject": None}
    assert all("conversation" not in item for item in items)
    assert "patient-a" not in str(items)


def test_a_decision_moves_a_question_from_pending_to_reviewed(queue):
    first = queue.questions(TODAY)[0]
    decided = queue.decide(
        first["id"],
        Decision("label", intent="ask_test_list", subject_kind="test", subject_id="xray"),
        "Dana",
        TODAY,
    )
    assert decided["status"] == "labelled"
    assert decided["decision"] == {
        "intent": "ask_test_list",
        "subject": {"kind": "test", "id": "xray"},
        "topic": None,
        "reviewer": "Dana",
        "reviewed_on": TODAY.isoformat(),
    }
    assert [i["text"] for i in queue.questions(TODAY)] == ["lowdown, call <phone>"]
    assert [i["id"] for i in queue.questions(TODAY, "reviewed")] == [first["id"]]
    assert len(queue.questions(TODAY, "all")) == 2


def test_not_on_page_and_discard_are_decisions_too(queue):
    first, second = queue.questions(TODAY)
    queue.decide(first["id"], Decision("not_on_page", topic="duration"), "Dana", TODAY)
    queue.decide(second["id"], Decision("discard"), "Dana", TODAY)
    statuses = {i["id"]: i["status"] for i in queue.questions(TODAY, "reviewed")}
    assert statuses == {first["id"]: "not_on_page", second["id"]: "discarded"}


def test_deciding_on_a_question_that_is_gone_says_so(queue):
    with pytest.raises(QuestionNotFound):
        queue.decide(999, Decision("discard"), "Dana", TODAY)


def test_questions_past_their_retention_are_neither_shown_nor_decided(queue):
    later = TODAY + timedelta(days=31)
    assert queue.questions(later, "all") == []
    with pytest.raises(QuestionNotFound):
        queue.decide(1, Decision("discard"), "Dana", later)
