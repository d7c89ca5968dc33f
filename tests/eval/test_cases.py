"""The question sets load through one schema, and the development sets stay out of training.

The sealed test split (`eval/realistic/test/`) is not read here: `make eval` checks it for
overlap with the training data when it runs.
"""

from __future__ import annotations

import pytest

from eval.cases import SETS, all_questions, load_cases, load_file
from eval.overlap import normalise, overlapping, training_examples

DEVELOPMENT_SETS = ["realistic-dev", "short"]


@pytest.mark.parametrize("name", DEVELOPMENT_SETS)
def test_no_development_question_is_a_training_example(name):
    overlaps = overlapping(all_questions(load_cases(SETS[name])), training_examples())
    assert not overlaps, f"questions that are also training examples: {overlaps}"


@pytest.mark.parametrize("name", DEVELOPMENT_SETS)
def test_each_development_set_has_cases_in_every_file(name):
    for path in sorted(SETS[name].glob("*.yml")):
        assert load_file(path).cases, path


def test_normalise_ignores_case_punctuation_spacing_and_entity_annotations():
    assert normalise("What's a  [bone scan](test)?") == normalise("whats a bone scan")
    assert normalise('is [PET/CT]{"entity": "test"} better') == "is petct better"


def test_normalise_keeps_different_words_different():
    assert normalise("what is a bone scan") != normalise("what is a bone scan for")


def test_training_examples_come_from_nlu_examples_and_user_steps(tmp_path):
    (tmp_path / "nlu.yml").write_text(
        "nlu:\n  - intent: ask\n    examples: |\n      - What is [MRI](test)?\n"
        "  - synonym: mri\n    examples: |\n      - magnetic scan\n",
        encoding="utf-8",
    )
    (tmp_path / "stories.yml").write_text(
        "stories:\n  - story: s\n    steps:\n      - user: Hello there!\n"
        "      - action: utter_greet\n      - or:\n          - user: hiya\n",
        encoding="utf-8",
    )
    assert training_examples(tmp_path) == {"what is mri", "hello there", "hiya"}


def test_overlapping_returns_questions_as_written():
    assert overlapping(["What is MRI?", "what is a pet scan"], {"what is mri"}) == ["What is MRI?"]


def test_single_question_and_multi_turn_cases_load_as_turns(tmp_path):
    path = tmp_path / "mixed.yml"
    path.write_text(
        "category: mixed\ncases:\n"
        "  - {q: 'chest pain now', behaviour: red_flag}\n"
        "  - turns:\n      - {q: 'what is ct', expect: [slices]}\n"
        "      - {q: 'how long does it take', behaviour: not_on_page, expect_not: [LIT-ik]}\n",
        encoding="utf-8",
    )
    loaded = load_file(path)
    assert [len(c.turns) for c in loaded.cases] == [1, 2]
    assert loaded.cases[0].turns[0].behaviour == "red_flag"
    assert loaded.cases[1].turns[0].behaviour == "answer"
    assert loaded.cases[1].turns[1].expect_not == ["LIT-ik"]


@pytest.mark.parametrize(
    "case",
    [
        "{q: 'hi', expects: [hello]}",  # a misspelt field
        "{q: 'what is ct'}",  # an answer with nothing to check
        "{q: 'what is ct', behaviour: guess, expect: [slices]}",  # an unknown behaviour
    ],
)
def test_a_malformed_case_is_refused(tmp_path, case):
    path = tmp_path / "bad.yml"
    path.write_text(f"category: x\ncases:\n  - {case}\n")
    with pytest.raises(ValueError):
        load_file(path)
