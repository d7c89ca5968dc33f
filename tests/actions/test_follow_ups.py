"""Follow-ups that lean on the conversation: "and blastic?" after "how do you say lytic?" asks the
same again; "the first one" and "the other one" point back to what an earlier question named."""

from __future__ import annotations

from actions.knowledge import ActionExplain, ActionExplainTopic
from actions.pronunciation import ActionPronounce
from actions.sequencing import ActionWhyTest
from tests.actions.trackers import entity, run, texts, tracker_for


def read(tracker, **reading):
    tracker.latest_message["reading"] = reading
    return tracker


def after(tracker, text: str, entities: list[dict]):
    """The tracker with an earlier question before its latest message."""
    earlier = {"text": text, "intent": {"name": "ask_compare_tests"}, "entities": entities}
    tracker.events.insert(0, {"event": "user", "text": text, "parse_data": earlier})
    return tracker


def positioned(kind: str, value: str, start: int) -> dict:
    return {**entity(kind, value), "start": start, "end": start + len(value)}


LYTIC_AND_BLASTIC = [positioned("term", "lytic", 32), positioned("term", "blastic", 42)]
COMPARED = "whats the difference between lytic and blastic"


def test_a_bare_follow_up_of_a_pronunciation_is_pronounced_whatever_the_classifier_said():
    tracker = read(
        tracker_for(
            "and blastic?",
            "ask_mixed_lesions",
            [entity("term", "blastic")],
            slots={"last_aspect": "ask_pronunciation", "current_term": "lytic"},
        ),
        subject={"kind": "term", "id": "blastic"},
        follow_up=True,
    )
    messages, events = run(ActionExplainTopic(), tracker)
    assert "Blastic is said BLAS-tik" in texts(messages)
    assert {"event": "slot", "name": "last_aspect", "value": "ask_pronunciation"} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events
    ]


def test_a_question_that_is_not_a_bare_follow_up_keeps_its_own_answer():
    tracker = read(
        tracker_for(
            "what do lytic and blastic spots look like",
            "ask_mixed_lesions",
            slots={"last_aspect": "ask_pronunciation"},
        ),
        follow_up=False,
    )
    assert "dissolves bone" in texts(run(ActionExplainTopic(), tracker)[0])


def test_the_first_one_is_the_first_thing_the_earlier_question_named():
    tracker = after(
        read(tracker_for("how do you say the first one", "ask_pronunciation"), refers_to="first"),
        COMPARED,
        LYTIC_AND_BLASTIC,
    )
    assert "Lytic is said LIT-ik" in texts(run(ActionPronounce(), tracker)[0])


def test_the_other_one_is_the_one_not_talked_about_last():
    tracker = after(
        read(
            tracker_for(
                "and the other one",
                "ask_mixed_lesions",
                slots={"last_aspect": "ask_pronunciation", "current_term": "lytic"},
            ),
            refers_to="other",
            follow_up=True,
        ),
        COMPARED,
        LYTIC_AND_BLASTIC,
    )
    assert "Blastic is said BLAS-tik" in texts(run(ActionExplainTopic(), tracker)[0])


def test_the_second_test_compared_is_the_one_a_why_question_asks_about():
    tracker = after(
        read(tracker_for("why do they do the second one", "ask_why_test"), refers_to="second"),
        "bone scan or pet scan, which is better",
        [positioned("test", "bone_scan", 0), positioned("test", "pet", 13)],
    )
    answer = texts(run(ActionWhyTest(), tracker)[0])
    assert "PET" in answer and "whole" in answer


def test_with_nothing_named_before_the_first_one_falls_back_to_the_subject_talked_about():
    tracker = read(
        tracker_for("what is the first one", "ask_what_is", slots={"current_test": "mri"}),
        refers_to="first",
    )
    assert "magnet" in texts(run(ActionExplain(), tracker)[0]).lower()


def test_a_message_that_asks_two_things_gets_both_answers_then_the_notes_once():
    text = "Mum had a CT. What does slices mean? And what is the CT looking for?"
    start = text.index("And what")
    tracker = read(
        tracker_for(
            text,
            "ask_what_is",
            [
                {**entity("term", "cross_section"), "start": text.index("slices"), "end": 35},
                {**entity("test", "ct"), "start": text.index("CT looking"), "end": 62},
            ],
        ),
        subject={"kind": "term", "id": "cross_section"},
        also={
            "intent": "ask_what_it_shows",
            "subject": {"kind": "test", "id": "ct"},
            "question": text[start:],
            "start": start,
            "end": len(text),
        },
    )
    messages, events = run(ActionExplain(), tracker)
    answers = [m["text"] for m in messages if m.get("text")]
    assert "slices" in answers[0] and "size and shape" in answers[1]
    notes = [m["response"] for m in messages if m.get("response")]
    assert notes == ["utter_first_answer_note"] and messages[-1]["response"] == notes[0]
