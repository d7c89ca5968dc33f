"""The held-out set stays held out and well formed: no training example, only known intents."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from eval.heldout import HELDOUT_DIR, all_questions, load_file, load_heldout
from eval.overlap import normalise, overlapping, training_examples

DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"
HELDOUT = load_heldout()


def test_no_heldout_question_is_a_training_example():
    overlaps = overlapping(all_questions(HELDOUT), training_examples())
    assert not overlaps, f"held-out questions that are also training examples: {overlaps}"


def test_every_heldout_intent_is_in_the_domain():
    known = set(yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["intents"]) | {"nlu_fallback"}
    used = {t.intent for cases in HELDOUT.values() for case in cases for t in case.turns}
    assert used - known == set()


@pytest.mark.parametrize("path", sorted(HELDOUT_DIR.glob("*.yml")), ids=lambda p: p.name)
def test_each_heldout_file_has_cases(path):
    assert load_file(path).cases


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
        "  - {q: 'chest pain now', intent: red_flag, red_flag: true}\n"
        "  - turns:\n      - {q: 'what is ct', intent: ask_what_is, expect: [slices]}\n"
        "      - {q: 'what does it show', intent: ask_what_it_shows, expect_not: [LIT-ik]}\n",
        encoding="utf-8",
    )
    loaded = load_file(path)
    assert [len(c.turns) for c in loaded.cases] == [1, 2]
    assert loaded.cases[0].turns[0].red_flag is True
    assert loaded.cases[1].turns[1].red_flag is None
    assert loaded.cases[1].turns[1].expect_not == ["LIT-ik"]


def test_unknown_field_in_a_case_is_refused(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("category: x\ncases:\n  - {q: 'hi', intent: greet, expects: [hello]}\n")
    with pytest.raises(ValueError, match="expects"):
        load_file(path)
