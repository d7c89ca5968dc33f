"""`make review-export`: reviewed questions as training data Rasa reads, with their record."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.insights.export import RECORD_SUFFIX, export, main
from bot.insights.recorder import TurnRecorder
from bot.insights.review import Decision, ReviewQueue
from pipeline.question_reader import training_label
from settings.bot import get_settings
from tests.bot.insights.conftest import TODAY, an_unanswered


@pytest.fixture
def queue(engine) -> ReviewQueue:
    questions = [
        "rundown pls, see www.example.org/me",
        "is the scan a quick one",
        "zzkq vvbn",
        "what do [the] pictures show",
    ]
    TurnRecorder(engine, True, 30).record("p1", [an_unanswered(q) for q in questions])
    queue = ReviewQueue(engine, 30)
    rundown, quick, noise, pictures = (i["id"] for i in queue.questions(TODAY))
    queue.decide(rundown, Decision("label", intent="ask_test_list"), "Dana", TODAY)
    queue.decide(
        quick,
        Decision("not_on_page", topic="duration", subject_kind="test", subject_id="bone_scan"),
        "Lee",
        TODAY,
    )
    queue.decide(noise, Decision("discard"), "Dana", TODAY)
    queue.decide(
        pictures,
        Decision("label", intent="ask_what_it_shows", subject_kind="test", subject_id="xray"),
        "Dana",
        TODAY,
    )
    return queue


def read_training(path):
    return RasaYAMLReader().reads(path.read_text())


def test_labelled_questions_become_rasa_training_examples_of_their_intent(queue, tmp_path):
    out = tmp_path / "reviewed.yml"
    assert export(out, queue, TODAY) == (3, 4)
    examples = {m.get("text"): m for m in read_training(out).intent_examples}
    assert set(examples) == {
        "rundown pls, see <url>",
        "is the scan a quick one",
        "what do (the) pictures show",  # brackets would be read as entity markup
    }
    assert examples["rundown pls, see <url>"].get("intent") == "ask_test_list"
    assert examples["what do (the) pictures show"].get("entities") in (None, [])


def test_a_not_on_the_page_question_keeps_its_topic_for_the_reader(queue, tmp_path):
    out = tmp_path / "reviewed.yml"
    export(out, queue, TODAY)
    (example,) = [
        m for m in read_training(out).intent_examples if m.get("intent") == "ask_not_on_page"
    ]
    assert training_label(example) == "ask_not_on_page/duration"


def test_the_record_says_who_decided_what_and_when(queue, tmp_path):
    out = tmp_path / "reviewed.yml"
    export(out, queue, TODAY)
    record = yaml.safe_load((tmp_path / f"reviewed{RECORD_SUFFIX}").read_text())["reviewed"]
    quick = next(r for r in record if r["text"] == "is the scan a quick one")
    assert quick == {
        "text": "is the scan a quick one",
        "intent": "ask_not_on_page",
        "subject": "test:bone_scan",
        "topic": "duration",
        "reviewer": "Lee",
        "reviewed_on": TODAY,
    }
    assert "zzkq vvbn" not in str(record)


def test_earlier_decisions_stay_and_a_later_one_on_the_same_text_wins(queue, engine, tmp_path):
    out = tmp_path / "reviewed.yml"
    export(out, queue, TODAY)
    # The queue forgets its questions after the retention; the record keeps them.
    assert ReviewQueue(engine, 30).questions(TODAY + timedelta(days=31), "all") == []
    TurnRecorder(engine, True, 30).record("p2", [an_unanswered("is the scan a quick one")])
    later = ReviewQueue(engine, 30)
    (again,) = later.questions(TODAY)
    later.decide(again["id"], Decision("discard"), "Sam", TODAY)
    total, _ = export(out, later, TODAY)
    texts = {m.get("text") for m in read_training(out).intent_examples}
    assert total == 2
    assert texts == {"rundown pls, see <url>", "what do (the) pictures show"}


def test_the_command_writes_where_it_is_told(queue, engine, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRACKER_STORE_URL", str(engine.url))
    get_settings.cache_clear()
    out = tmp_path / "data" / "reviewed.yml"
    try:
        assert main(["--out", str(out)]) == 0
    finally:
        get_settings.cache_clear()
    assert out.exists() and out.with_name(f"reviewed{RECORD_SUFFIX}").exists()
    assert "3 reviewed examples" in capsys.readouterr().out
