"""Finds warning signs in a message: the safety check that runs before everything else.

The phrasings live in `content/red_flags.yml`, checked when loaded. A message is normalized
(lower case, contractions spelled out, typos of the sign words corrected) and each sign's
patterns are matched on it. A sign does not count when it is negated within its clause ("no
numbness"), resolved ("the numbness went away"), or part of a question about the topic with
nobody's own body in it ("what is spinal cord compression?"). It is deterministic on purpose:
every alarm and every non-alarm can be explained and tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Extra, root_validator, validator
from rapidfuzz import fuzz, process

RED_FLAGS_FILE = Path(__file__).resolve().parent / "red_flags.yml"
# The intent a red flag overrides NLU with, and where its findings go in the parse data (and
# so in `tracker.latest_message`).
RED_FLAG_INTENT = "red_flag"
RED_FLAG_KEY = "red_flag"

_MACRO = re.compile(r"\{([a-z_]+)\}")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Spelled-out forms, so patterns and negation cues see one spelling.
_CONTRACTIONS = [
    (r"\bcan'?t\b|\bcannot\b", "can not"),
    (r"\bwon'?t\b", "will not"),
    (r"\bain'?t\b", "is not"),
    (r"\b(do|does|did|is|are|was|were|has|have|had|could|would|should)n'?t\b", r"\1 not"),
    (r"\bi'?m\b", "i am"),
    (r"\bi've\b|\bive\b", "i have"),
    (r"\b(he|she|it|that|there|what|who)'s\b", r"\1 is"),
    (r"\b(hes|shes)\b", lambda m: m.group(1)[:-1] + " is"),
    (r"\bwhats\b", "what is"),
    (r"'re\b", " are"),
    (r"'ve\b", " have"),
    (r"'ll\b", " will"),
    (r"'d\b", " would"),
]


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class Category(_Strict):
    reply: Literal["urgent", "crisis"]
    # What a nurse reads in an alert about it.
    label: str


class Sign(_Strict):
    id: str
    category: str
    says: str
    patterns: list[str]
    unless: list[str] = []
    needs_personal: bool = False
    always: bool = False


class Negation(_Strict):
    cues: list[str]
    pseudo: list[str]
    window: int
    clause_breaks: list[str]
    new_subject_after_and: str
    answer_no_before: str


class TopicQuestions(_Strict):
    leads: list[str]
    openers: list[str]
    personal: list[str]
    not_personal: list[str]


class Typos(_Strict):
    words: list[str]
    keep: list[str]
    min_length: int
    cutoff: int


class RedFlagRules(_Strict):
    categories: dict[str, Category]
    macros: dict[str, str]
    signs: list[Sign]
    negation: Negation
    topic_questions: TopicQuestions
    typos: Typos

    @validator("macros")
    def macros_expand(cls, macros: dict[str, str]) -> dict[str, str]:
        return {name: _expand(text, macros) for name, text in macros.items()}

    @root_validator(skip_on_failure=True)
    def signs_are_valid(cls, values: dict) -> dict:
        problems = []
        seen = set()
        for sign in values["signs"]:
            if sign.id in seen:
                problems.append(f"sign {sign.id!r} is listed twice")
            seen.add(sign.id)
            if sign.category not in values["categories"]:
                problems.append(f"sign {sign.id!r}: unknown category {sign.category!r}")
            for pattern in [*sign.patterns, *sign.unless]:
                try:
                    re.compile(_expand(pattern, values["macros"]))
                except (re.error, KeyError) as error:
                    problems.append(f"sign {sign.id!r}: bad pattern {pattern!r}: {error}")
        if problems:
            raise ValueError("; ".join(problems))
        return values


def _expand(pattern: str, macros: dict[str, str], depth: int = 0) -> str:
    if depth > 5:
        raise KeyError(f"macros nest too deep in {pattern!r}")
    expanded = _MACRO.sub(lambda m: macros[m.group(1)], pattern)
    return expanded if expanded == pattern else _expand(expanded, macros, depth + 1)


def _words(phrases: list[str]) -> str:
    """One alternation of whole phrases, longest first."""
    ordered = sorted(phrases, key=len, reverse=True)
    return "|".join(re.escape(p) for p in ordered)


@dataclass(frozen=True)
class Finding:
    sign: str
    category: str
    says: str


@dataclass(frozen=True)
class Screening:
    """What the detector found: the signs that count, and the ones it set aside and why."""

    findings: tuple[Finding, ...]
    set_aside: tuple[tuple[Finding, str], ...]
    category_order: tuple[str, ...]

    @property
    def alarm(self) -> bool:
        return bool(self.findings)

    @property
    def category(self) -> str | None:
        """The most urgent category found."""
        found = {f.category for f in self.findings}
        return next((c for c in self.category_order if c in found), None)

    @property
    def signs(self) -> list[str]:
        return list(dict.fromkeys(f.sign for f in self.findings))

    @property
    def says(self) -> list[str]:
        return list(dict.fromkeys(f.says for f in self.findings))


@dataclass(frozen=True)
class _CompiledSign:
    sign: Sign
    patterns: tuple[re.Pattern, ...]
    unless: tuple[re.Pattern, ...]


class RedFlagDetector:
    def __init__(self, rules: RedFlagRules) -> None:
        self.rules = rules
        self.category_order = tuple(rules.categories)
        macros = rules.macros

        def whole_words(pattern: str) -> re.Pattern:
            return re.compile(rf"(?<![a-z0-9])(?:{_expand(pattern, macros)})(?![a-z0-9])")

        self._signs = [
            _CompiledSign(
                sign,
                tuple(whole_words(p) for p in sign.patterns),
                tuple(whole_words(p) for p in sign.unless),
            )
            for sign in rules.signs
        ]
        negation = rules.negation
        self._cue = re.compile(rf"\b(?:{_words(negation.cues)})\b")
        self._pseudo = re.compile(rf"\b(?:{_words(negation.pseudo)})\b")
        breaks = _words(negation.clause_breaks)
        self._boundary = re.compile(
            rf"[.!?;,:()\[\]\"]+|\s-\s|\b(?:{breaks})\b"
            rf"|\band (?={negation.new_subject_after_and}\b)"
        )
        self._answer_no = re.compile(rf"^no (?={negation.answer_no_before}\b)")
        topic = rules.topic_questions
        self._opener = re.compile(rf"^(?:(?:{_words(topic.openers)})\s+)*")
        # "can not keep food down" starts like a question but is not one.
        self._lead = re.compile(rf"^(?:{_words(topic.leads)})\b(?! not\b)")
        self._personal = re.compile(rf"\b(?:{_words(topic.personal)})\b")
        self._not_personal = re.compile(rf"\b(?:{_words(topic.not_personal)})\b")
        typos = rules.typos
        # Typos keep their first letter far more often than not; comparing only within it
        # also stops "talking" from becoming "walking".
        self._typo_words: dict[str, list[str]] = {}
        for word in typos.words:
            if len(word) >= typos.min_length:
                self._typo_words.setdefault(word[0], []).append(word)
        self._keep = set(typos.keep) | set(typos.words)

    def normalize(self, text: str) -> str:
        text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
        text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
        for pattern, replacement in _CONTRACTIONS:
            text = re.sub(pattern, replacement, text)
        text = _WORD.sub(lambda m: self._fix_typo(m.group(0)), text)
        return re.sub(r"\s+", " ", text).strip()

    def _fix_typo(self, word: str) -> str:
        if len(word) < self.rules.typos.min_length or word in self._keep or not word.isalpha():
            return word
        best = process.extractOne(
            word,
            self._typo_words.get(word[0], []),
            scorer=fuzz.ratio,
            score_cutoff=self.rules.typos.cutoff,
        )
        return best[0] if best else word

    def _clause_around(self, text: str, start: int, end: int) -> tuple[int, int]:
        """Where the clause holding text[start:end] begins and ends.

        Patterns match across the whole message ("fell and my hip hurts"); negation and
        `unless` only reach within the clause, so "no fever and my legs are weak" still alarms.
        """
        begin, finish = 0, len(text)
        for boundary in self._boundary.finditer(text):
            if boundary.end() <= start:
                begin = boundary.end()
            elif boundary.start() >= end:
                finish = boundary.start()
                break
        return begin, finish

    def _negated(self, before: str) -> bool:
        before = self._answer_no.sub("", before.strip())
        before = self._pseudo.sub(" ", before)
        window = before.split()[-self.rules.negation.window :]
        return bool(self._cue.search(" ".join(window)))

    def is_topic_question(self, normalized: str) -> bool:
        """A question about the topic, with nobody's own body in it."""
        asked = self._opener.sub("", normalized)
        return bool(self._lead.match(asked)) and not self.is_personal(normalized)

    def is_personal(self, normalized: str) -> bool:
        return bool(self._personal.search(self._not_personal.sub(" ", normalized)))

    def screen(self, text: str) -> Screening:
        normalized = self.normalize(text)
        topic_question = self.is_topic_question(normalized)
        personal = self.is_personal(normalized)
        findings: list[Finding] = []
        set_aside: list[tuple[Finding, str]] = []
        for compiled in self._signs:
            sign = compiled.sign
            finding = Finding(sign.id, sign.category, sign.says)
            reasons = [
                self._reason_to_set_aside(compiled, normalized, match, topic_question, personal)
                for pattern in compiled.patterns
                for match in pattern.finditer(normalized)
            ]
            if not reasons:
                continue
            if None in reasons:
                findings.append(finding)
            else:
                set_aside.append((finding, reasons[0]))
        return Screening(tuple(findings), tuple(set_aside), self.category_order)

    def _reason_to_set_aside(
        self,
        compiled: _CompiledSign,
        text: str,
        match: re.Match,
        topic_question: bool,
        personal: bool,
    ) -> str | None:
        sign = compiled.sign
        begin, finish = self._clause_around(text, match.start(), match.end())
        if any(p.search(text[begin:finish]) for p in compiled.unless):
            return "unless"
        if sign.always:
            return None
        if self._negated(text[begin : match.start()]):
            return "negated"
        if topic_question:
            return "topic_question"
        if sign.needs_personal and not personal:
            return "not_personal"
        return None


def load_rules(path: Path = RED_FLAGS_FILE) -> RedFlagRules:
    with path.open(encoding="utf-8") as handle:
        return RedFlagRules(**yaml.safe_load(handle))


@lru_cache(maxsize=2)
def load_detector(path: Path = RED_FLAGS_FILE) -> RedFlagDetector:
    return RedFlagDetector(load_rules(path))
