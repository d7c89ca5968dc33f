"""The prefilter that lets the detector skip concept patterns: it must never skip a pattern that
would have matched, and it must skip often enough to be worth having."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from content.red_flags import load_detector
from content.regex_prefilter import PatternSet, prefixes, starts

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
    assert {"m", "my", "my ", "leg", "o", "ok", " ", " ok"} <= found.keys()
    assert "egs" not in found and "y l" not in found and "," not in found
    assert found["leg"] == [3] and found["m"] == [0] and found["o"] == [9]


def test_a_pattern_set_finds_what_finditer_finds_in_the_same_order():
    patterns = {
        "legs": re.compile(r"(?<![a-z])legs?(?![a-z])"),
        "weak": re.compile(r"(?<![a-z])(?:weak|weakness|wobbly)(?![a-z])"),
        "anything": re.compile(r"\s+pain"),  # no prefixes: always scanned
    }
    text = "weak legs, leg weakness and a leg pain, wobbly legs"
    expected = [
        (name, m.start(), m.end()) for name, p in patterns.items() for m in p.finditer(text)
    ]
    assert PatternSet(patterns).find(text, starts(text)) == expected
    assert PatternSet(patterns).find(text + " très", starts(text + " très")) == [
        (name, m.start(), m.end())
        for name, p in patterns.items()
        for m in p.finditer(text + " très")
    ]


def _sentences() -> list[str]:
    messages = yaml.safe_load(DEV_SET.read_text(encoding="utf-8"))["messages"]
    return [
        part
        for message in messages
        for part in re.split(r"[.!?;\n]+", DETECTOR.normalize(message["q"]))
        if part.strip()
    ]


DETECTOR = load_detector()


def test_the_detector_finds_every_concept_match_and_skips_most_patterns():
    skipped = ran = 0
    for concepts in (DETECTOR._symptom_patterns, DETECTOR._context_patterns):
        for sentence in _sentences():
            at = starts(sentence)
            assert concepts.find(sentence, at) == [
                (name, m.start(), m.end())
                for name, pattern in concepts.patterns.items()
                for m in pattern.finditer(sentence)
            ], sentence
            for found in concepts.prefixes.values():
                if at is not None and found is not None and found.isdisjoint(at):
                    skipped += 1
                else:
                    ran += 1
    assert skipped > 0.3 * (skipped + ran)
