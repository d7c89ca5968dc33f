"""The prefilter that lets the detector skip concept patterns: it must never skip a pattern that
would have matched, and it must skip often enough to be worth having."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from content.red_flags import load_detector
from content.regex_prefilter import prefixes, starts

DEV_SET = Path(__file__).resolve().parents[2] / "eval" / "warning_signs" / "dev.yml"


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("legs?|feet", {"leg", "fee"}),
        ("(?:x )?ray", {"x r", "ray"}),
        ("[ab]c", {"ac", "bc"}),
        ("no", {"no"}),
        ("(?<![a-z])wee(?! bit)", {"wee"}),
        ("so+ tired", {"so ", "soo"}),
        ("(?:can|could) not", {"can", "cou"}),
    ],
)
def test_the_prefixes_of_a_pattern(pattern, expected):
    assert prefixes(pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        ".ain",  # any character
        r"\s+pain",  # a class by a category other than digits and word letters
        "[^a]bc",  # a negated class
        "a?",  # can match nothing
        "(?i)leg",  # flags change what a letter matches
    ],
)
def test_a_pattern_whose_prefixes_cannot_be_listed_is_always_run(pattern):
    assert prefixes(pattern) is None


def test_digits_and_word_letters_are_listed_for_ascii_text_only():
    found = prefixes(r"\d+ yrs")
    assert {"1 y", "42 ", "999"} <= found and len(found) == 10 + 100 + 1000
    assert starts("numb since the 3rd") is not None
    assert starts("numb since the 3rd, très peur") is None


def test_a_sentence_starts_its_words_and_punctuation_but_not_inside_words():
    found = starts("my legs, ok")
    assert {"m", "my", "my ", "leg", "o", "ok", " ", " ok"} <= found
    assert "egs" not in found and "y l" not in found and "," not in found


def _sentences() -> list[str]:
    messages = yaml.safe_load(DEV_SET.read_text(encoding="utf-8"))["messages"]
    return [
        part
        for message in messages
        for part in re.split(r"[.!?;\n]+", DETECTOR.normalize(message["q"]))
        if part.strip()
    ]


DETECTOR = load_detector()


def test_no_concept_pattern_is_skipped_where_it_matches_and_most_are_skipped():
    concepts = {**DETECTOR._symptom_patterns, **DETECTOR._context_patterns}
    skipped = ran = 0
    for sentence in _sentences():
        at = starts(sentence)
        for name, concept in concepts.items():
            if at is not None and concept.prefixes is not None and concept.prefixes.isdisjoint(at):
                skipped += 1
                assert not concept.pattern.search(sentence), (name, sentence)
            else:
                ran += 1
    assert skipped > 0.3 * (skipped + ran)
