"""The question reader on a small model: which sentence it answers, about what, and what it
adds (the care-team note, topics the page does not cover, a bare follow-up)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from pipeline.question_reader import (
    QuestionReader,
    Sentence,
    can_compare,
    is_follow_up,
    masked,
    names_nothing,
    referred_place,
    sentences_of,
    subject_for,
    training_label,
)
from pipeline.sentence_model import SentenceModel, normalise

TRAINING = {
    "ask_what_is": ["what is a TEST", "what does TERM mean", "explain TEST", "whats TEST"],
    "ask_what_it_shows": ["what does TEST show", "what can TEST find", "what will it show"],
    "ask_limits": ["what can TEST miss", "can it miss anything", "what cant TEST see"],
    "ask_compare_tests": ["TEST or TEST which is better", "difference between TEST and TEST"],
    "greet": ["hi", "hello", "good morning", "hey there"],
    "out_of_scope/own_results": ["what do my results mean", "is my result bad", "my report"],
    "out_of_scope/prognosis": ["how long do i have", "will i survive", "is it curable"],
    "out_of_scope/chitchat": ["what is the weather", "tell me a joke", "who won the game"],
}


@pytest.fixture(scope="module")
def reader() -> QuestionReader:
    texts = [t for examples in TRAINING.values() for t in examples]
    labels = [label for label, examples in TRAINING.items() for _ in examples]
    model = SentenceModel.fit([normalise(t) for t in texts], labels, c=20.0, seed=1)
    return QuestionReader(QuestionReader.get_default_config(), None, None, model)


def read(reader: QuestionReader, text: str, named: dict[str, str]) -> tuple[str, dict]:
    """`named` maps each subject's words in the text to (kind, id)."""
    entities = []
    for words, (kind, value) in named.items():
        start = text.index(words)
        entities.append({"entity": kind, "value": value, "start": start, "end": start + len(words)})
    message = Message(data={"text": text, "entities": entities})
    intent, _, reading, _ = reader.read(message)
    return intent, reading


def test_sentences_split_on_ends_and_keep_their_offsets():
    text = "My dad had a scan. What does it show?So worried"
    found = sentences_of(text)
    assert [s.text for s in found] == ["My dad had a scan.", "What does it show?", "So worried"]
    assert [text[s.start : s.start + len(s.text)] for s in found] == [s.text for s in found]
    assert [s.is_question for s in found] == [False, True, False]


def test_subjects_are_masked_by_kind():
    entities = [{"entity": "test", "value": "mri", "start": 10, "end": 13}]
    assert masked("what does MRI show", [{**entities[0], "start": 10, "end": 13}]) == (
        "what does test show"
    )


def test_the_page_question_in_a_long_personal_message_is_answered_with_a_care_team_note(reader):
    text = (
        "My husband had his scan last week and I am so worried. What can a bone scan miss? "
        "Is my result bad?"
    )
    intent, reading = read(reader, text, {"bone scan": ("test", "bone_scan")})
    assert intent == "ask_limits"
    assert reading["subject"] == {"kind": "test", "id": "bone_scan"}
    assert reading["care_team"] is True


def test_only_a_personal_question_is_declined_with_its_kind(reader):
    intent, reading = read(reader, "how long do i have", {})
    assert intent == "out_of_scope"
    assert reading["decline"] == "prognosis"


def test_a_question_the_page_does_not_answer_is_routed_to_the_honest_answer(reader):
    intent, reading = read(reader, "does a bone scan hurt?", {"bone scan": ("test", "bone_scan")})
    assert intent == "ask_not_on_page"
    assert reading["not_on_page"] == ["pain"]
    assert reading["subject"] == {"kind": "test", "id": "bone_scan"}


def test_a_named_subject_is_never_not_sure(reader):
    intent, reading = read(reader, "MRI ...", {"MRI": ("test", "mri")})
    assert intent in {"ask_what_is", "ask_what_it_shows", "ask_limits"}
    assert reading["subject"] == {"kind": "test", "id": "mri"}


def test_nothing_recognised_is_not_sure(reader):
    assert read(reader, "zzkq vvbn", {})[0] == "nlu_fallback"


def test_what_a_word_means_is_about_the_word_not_the_test(reader):
    text = "what does lytic mean on my x-ray report"
    _, reading = read(reader, text, {"lytic": ("term", "lytic"), "x-ray": ("test", "xray")})
    assert reading["subject"] == {"kind": "term", "id": "lytic"}


def test_a_question_about_it_keeps_the_subject_talked_about(reader):
    _, reading = read(reader, "does it use x-rays", {"x-rays": ("test", "xray")})
    assert reading["subject"] == {"kind": "it"}


@pytest.mark.parametrize(
    ("text", "follow_up"),
    [
        ("and the MRI?", True),
        ("what about an MRI scan", True),
        ("and what does an MRI show", False),
    ],
)
def test_a_bare_follow_up_is_a_subject_and_nothing_else(text, follow_up):
    sentence = sentences_of(text)[0]
    start = text.index("MRI")
    sentence.entities = [{"entity": "test", "value": "mri", "start": start, "end": start + 3}]
    assert is_follow_up(sentence) is follow_up


@pytest.mark.parametrize(
    ("text", "place", "follow_up"),
    [
        ("and the other one?", "other", True),
        ("what about the second one", "second", True),
        ("how do you say the first one", "first", False),
        ("ok and the latter", "second", True),
        ("and the other one, what does it show", "other", False),
        ("and one more thing", None, False),
    ],
)
def test_the_first_or_the_other_one_points_back(text, place, follow_up):
    assert referred_place(text) == place
    assert is_follow_up(sentences_of(text)[0]) is follow_up


def test_comparing_needs_two_tests_or_a_comparing_word():
    one = [{"entity": "test", "value": "alp"}]
    two = one + [{"entity": "test", "value": "ct"}]
    assert not can_compare(sentences_of("how can ALP point at two things")[0], one)
    assert can_compare(sentences_of("is it better than ALP")[0], one)
    assert can_compare(sentences_of("ALP and CT")[0], two)


def test_the_model_saves_and_loads_the_same_numbers(tmp_path, reader):
    reader.model.save(tmp_path)
    loaded = SentenceModel.load(tmp_path)
    texts = ["what can test miss", "hello"]
    assert loaded.labels == reader.model.labels
    assert (loaded.probabilities(texts) == reader.model.probabilities(texts)).all()


def reader_with(extra: dict[str, list[str]]) -> QuestionReader:
    training = {**TRAINING, **extra}
    texts = [t for examples in training.values() for t in examples]
    labels = [label for label, examples in training.items() for _ in examples]
    model = SentenceModel.fit([normalise(t) for t in texts], labels, c=20.0, seed=1)
    return QuestionReader(QuestionReader.get_default_config(), None, None, model)


def test_a_reviewed_not_on_the_page_question_is_learnt_with_its_topic():
    example = Message.build(
        "is the scan a quick one", intent="ask_not_on_page", intent_metadata={"topic": "duration"}
    )
    assert training_label(example) == "ask_not_on_page/duration"
    assert training_label(Message.build("what is it", intent="ask_not_on_page")) == (
        "ask_not_on_page/other"
    )


def test_the_reader_says_the_page_doesnt_say_what_staff_marked_not_on_the_page():
    reader = reader_with({"ask_not_on_page/duration": ["is the scan a quick one"]})
    intent, reading = read(reader, "is the scan a quick one", {})
    assert intent == "ask_not_on_page"
    assert reading["not_on_page"] == ["duration"]
    # The page's own questions still read as before.
    assert read(reader, "what can TEST miss", {})[0] == "ask_limits"


def test_a_learnt_topic_the_content_cannot_name_is_never_said():
    reader = reader_with({"ask_not_on_page/parking": ["is there parking at the hospital"]})
    intent, reading = read(reader, "is there parking at the hospital", {})
    assert intent != "ask_not_on_page"
    assert "not_on_page" not in reading


def test_a_question_after_thanks_is_still_answered():
    reader = reader_with({"thanks": ["thanks", "ok thanks", "thank you so much"]})
    intent, reading = read(reader, "ok thanks, does he need to fast before it?", {})
    assert intent == "ask_not_on_page"
    assert reading["not_on_page"] == ["preparation"]
    assert read(reader, "ok thanks", {})[0] == "thanks"


@pytest.mark.parametrize(("word", "respelt"), [("FDG-avid", False), ("LIE-tic", True)])
def test_a_report_word_with_a_hyphen_is_not_a_respelling(word, respelt):
    """ "LIE-tic" asks how to say a word; "FDG-avid" is copied from a report."""
    reader = reader_with({"ask_pronunciation": ["how do you say TERM", "how to pronounce TEST"]})
    text = f"what does {word} mean on a pet scan"
    intent, _ = read(reader, text, {"pet scan": ("test", "pet")})
    assert (intent == "ask_pronunciation") is respelt


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("why do they keep repeating the TEST, isnt once enough", "ask_why_test"),
        ("why does the TEST miss things", "ask_limits"),
    ],
)
def test_a_question_opening_with_why_asks_why_unless_it_asks_what_a_test_misses(text, expected):
    reader = reader_with(
        {
            "ask_why_test": ["why a TEST", "why do they do TEST", "why TEST first"],
            "ask_limits": ["isnt once enough", "is it enough", "what can TEST miss things"],
        }
    )
    text = text.replace("TEST", "bone scan")
    intent, _ = read(reader, text, {"bone scan": ("test", "bone_scan")})
    assert intent == expected


@pytest.mark.parametrize(
    ("text", "named", "expected"),
    [
        ("and for the spine?", {}, "ask_which_test"),
        (
            "so if its high does it definitely mean TERM",
            {"TERM": ("term", "metastasis")},
            "ask_limits",
        ),
        ("what does TERM mean", {"TERM": ("term", "metastasis")}, "ask_what_is"),
        ("why doesnt a high alp always mean TERM", {"TERM": ("term", "metastasis")}, "ask_limits"),
    ],
)
def test_a_follow_up_for_a_finding_asks_which_test_and_always_mean_asks_the_limits(
    text, named, expected
):
    reader = reader_with(
        {
            "ask_which_test": ["which test for TERM", "which scan is best"],
            "ask_what_it_shows": ["what does TEST show", "what is it good for", "and for it"],
        }
    )
    text = text.replace("TERM", "bone mets")
    named = {"bone mets": named["TERM"]} if named else {}
    intent, _ = read(reader, text, named)
    assert intent == expected


def test_a_second_question_about_something_else_is_noted_to_answer_after(reader):
    text = "My dad had a bone scan. What does a bone scan show? And what can a CT miss?"
    _, reading = read(reader, text, {"bone scan show": ("test", "bone_scan"), "CT": ("test", "ct")})
    assert reading["also"]["subject"] == {"kind": "test", "id": "ct"}
    assert reading["also"]["intent"] == "ask_limits"
    assert text[reading["also"]["start"] : reading["also"]["end"]] == "And what can a CT miss?"


def test_asking_if_a_result_means_spread_gets_what_the_test_can_show_and_the_care_team():
    reader = reader_with({"out_of_scope/own_results": ["does that mean it has spread", "my ALP"]})
    text = "my dads ALP came back at 180, does that mean the cancer has spread to his bones?"
    intent, reading = read(reader, text, {"ALP": ("test", "alp")})
    assert intent == "ask_limits"
    assert reading["care_team"] is True
    assert reading["subject"] == {"kind": "test", "id": "alp"}


def test_what_one_test_is_testing_for_is_what_it_shows_not_the_list_of_tests():
    reader = reader_with(
        {"ask_test_list": ["what tests are they doing", "what are they testing for"]}
    )
    text = "they took a urine sample, what are they testing my urine sample for"
    intent, _ = read(reader, text, {"urine sample for": ("test", "ntx")})
    assert intent == "ask_what_it_shows"


def test_normal_ranges_and_what_follows_a_diagnosis_are_not_on_the_page(reader):
    calcium = {"calcium": ("test", "blood_calcium")}
    intent, reading = read(reader, "what's the normal calcium level, hers was 2.9", calcium)
    assert (intent, reading["not_on_page"]) == ("ask_not_on_page", ["normal_range"])
    biopsy = {"biopsy": ("test", "biopsy")}
    intent, reading = read(reader, "if the biopsy shows cancer cells, what happens next", biopsy)
    assert (intent, reading["not_on_page"]) == ("ask_not_on_page", ["after_diagnosis"])


def test_what_happens_after_a_scan_is_still_the_next_test(reader):
    intent, reading = read(
        reader,
        "if the bone scan shows something what happens next",
        {"bone scan": ("test", "bone_scan")},
    )
    assert intent != "ask_not_on_page"


def test_the_ct_named_with_the_biopsy_is_the_ct_guided_biopsy():
    text = "why do they keep repeating the CT during the biopsy"
    entities = [
        {"entity": "test", "value": "ct", "start": 31, "end": 33},
        {"entity": "test", "value": "biopsy", "start": 45, "end": 51},
    ]
    sentences = [Sentence(0, text, entities)]
    subject = subject_for("ask_how_done", sentences, 0, entities)
    assert subject == {"kind": "test", "id": "ct_biopsy"}


def test_telling_infection_from_cancer_with_no_test_named_is_what_an_mri_shows(reader):
    intent, reading = read(reader, "how do they know if it is infection or cancer?", {})
    assert intent == "ask_what_it_shows"
    assert reading["subject"] == {"kind": "test", "id": "mri"}


def test_a_statement_naming_nothing_it_could_be_about_is_told_apart():
    assert names_nothing("my name is Zelda Quartermaine and I need the gist, MRN 4471209")
    assert not names_nothing("I need to know why they want more scans")
    assert not names_nothing("my dad needs one next week")
    assert not names_nothing("need it")


def test_a_question_naming_nothing_can_still_be_a_follow_up(reader):
    assert read(reader, "do i need one", {})[0] != "nlu_fallback"
