"""The prefilter that lets the detector skip concept patterns: it must never skip a pattern that
would have matched, and it must skip often enough to be worth having."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from content.red_flags import load_detector
from content.regex_prefilter import PatternSet, _trie, prefixes

DEV_SET = Path(__file__).resolve().parents[2] / "eval" / "warning_signs" / "dev.yml"


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("legs?|feet", {"leg", "legs", "feet"}),
        ("(?:x )?ray", {"x ra", "ray"}),
        ("[ab]c", {"ac", "bc"}),
        ("no", {"no"}),
        ("(?<![a-z])wee(?! bit)", {"wee"}),
        ("so+ tired", {"so t", "soo ", "sooo"}),
        ("(?:can|could) not", {"can ", "coul"}),
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


def test_digits_and_word_letters_are_listed():
    found = prefixes(r"\d+ yrs")
    assert {"1 yr", "42 y", "999 ", "1000"} <= found
    assert len(found) == 10 + 100 + 1000 + 10000


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
    assert PatternSet(patterns).find(text) == expected
    # Not all ASCII: `\w` matches more than the prefixes list, so every pattern scans.
    assert PatternSet(patterns).find(text + " très") == [
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
            assert concepts.find(sentence) == [
                (name, m.start(), m.end())
                for name, pattern in concepts.patterns.items()
                for m in pattern.finditer(sentence)
            ], sentence
            words = {sentence[m.start() : m.start() + 3] for m in re.finditer(r"\b\w", sentence)}
            for found in concepts.prefixes.values():
                if found is not None and found.isdisjoint(words):
                    skipped += 1
                else:
                    ran += 1
    assert skipped > 0.3 * (skipped + ran)


@pytest.mark.parametrize(
    "words",
    [{"leg", "legs", "le", "fee"}, {"a", "ab", "abc", "b"}, {"x r", "x.y", "(?)"}],
)
def test_the_trie_matches_exactly_its_words(words):
    trie = re.compile(rf"(?:{_trie(words)})\Z")
    assert all(trie.match(word) for word in words)
    assert not any(trie.match(other) for other in ["l", "legss", "fe", "ac", "x", "xr", ""])
