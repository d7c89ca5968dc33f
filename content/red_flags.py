"""Finds warning signs in a message: the safety check that runs before everything else.

The symptom model lives in `content/red_flags.yml`, checked when loaded. It has concepts (body
parts and functions, changes, onset, symptoms: each a few regular expressions) and signs that
combine them ("legs" with "weak" in one sentence). A mention of a concept does not count when it
is negated ("no numbness"), in the past ("broke my wrist in 2015"), resolved ("the numbness
went away"), or reported ("the leaflet lists numbness"). A sign does not count in a question
about the topic with nobody's own body in it, or, for back pain, when the pain is long-standing,
unchanged and known. High-calcium symptoms count together: two or more, or one that is marked
as severe or comes with "calcium".

The message is normalized first: lower case, contractions and text-speak spelled out, typos of
the model's words corrected. Deterministic and fast on purpose: every alarm and every non-alarm
can be explained and tested, and the gateway runs the same check as its last line of defence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Extra, root_validator, validator
from rapidfuzz import fuzz, process

from content.red_flag_model import SELF_HARM, SecondOpinion
from content.regex_prefilter import PatternSet

RED_FLAGS_FILE = Path(__file__).resolve().parent / "red_flags.yml"
# The intent a red flag overrides NLU with, and where its findings go in the parse data (and
# so in `tracker.latest_message`).
RED_FLAG_INTENT = "red_flag"
RED_FLAG_KEY = "red_flag"
# Said when the alarm names no sign (a button, an older model, a detector finding none to name).
UNNAMED_SIGN = "a possible warning sign"

_MACRO = re.compile(r"\{([a-z_]+)\}")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_RUN = re.compile(r"([a-z])\1{2,}")
_APOSTROPHE = re.compile(r"[\u2018\u2019\u00b4`]")
# Quote marks, not apostrophes: "'just fold'".
_QUOTE = re.compile(r"(?<![a-z])'|'(?![a-z])")
_JOINER = re.compile(r"(?<=[a-z0-9])[-/+](?=[a-z0-9])")
_SPACES = re.compile(r"[ \t]+")
# "he's got", "it's been": the contraction is "has", which spelling each word alone cannot see.
_HAS = re.compile(
    r"\b(he|she|it|that|there|who|what|everything|nothing|something) is "
    r"(?=(?:got|been|had|stopped|started|become|forgotten|fallen|broken|developed)\b)"
)
# A checklist's answer on its own: "Confused? No.", "numbness: none", "legs weak - no, ...".
_BARE_DENIAL = re.compile(
    r"^(?:no|nope|nah|none|nil|negative|normal|not really|never|denies|denied|nad|absent)"
    r"\s*(?:[.,;!/]|$)"
)
# A checklist's item: a few words, nobody's own ("legs weak"), or asked in very few
# ("Wetting himself?", "Any numbness in his legs?").
_CHECKLIST_ITEM_WORDS = 8
_CHECKLIST_QUESTION_WORDS = 6
# What joins a list's items: "no sickness, thirst or confusion".
_LIST_JOIN = re.compile(r"\s*(?:,\s*)?(?:(?:or|nor)\s+)?(?:(?:any|a|an|the|some|real|bad)\s+)?")
# "That was years ago", "it was back in 2019": pointing back, then only when.
_POINTS_BACK = re.compile(
    r"^\s*(?:and |but )?(?:that|this|it|which|all that|all this) (?:was|were)\b"
)
# Words that make a clause explain the one before it: "numb because I slept on it".
_EXPLAINS = re.compile(r"\b(?:because|cos|but)\b")
# "Is that from lying on the scan table", "can pins and needles be from lying in the scanner":
# a cause asked about, not given. Dictated messages have no question mark to set it apart.
_ASKED_CAUSE = re.compile(
    r"\b(?:(?:is|was|could|can|would|might|may) (?:that|it|this)(?: be| have been)?|be) "
    r"(?:just |only |simply |all )?(?:because of |due to |down to )?$"
)
# A sentence and how it ends; a full stop between digits ("11.2") is a decimal point.
_SENTENCE = re.compile(r"(?:[^.!?;\n]|(?<=\d)\.(?=\d))+(?:[.!?;\n]+|$)")
_WORD = re.compile(r"[a-z0-9]+")
# A time this near the start of a sentence opens it ("Last year, ...", "In 2019 I ...").
_OPENING_CHARS = 3
# A question tacked on after a comma is a sentence of its own: "no leaking, is incontinence
# common?" asks about the topic, whatever the first half says about the person.
_TACKED_QUESTION = re.compile(
    r"[,:]\s*(?=(?:in general |generally |out of interest )?"
    r"(?:is|are|does|do|can|could|what|how|why|will|would|should|which)\b[^,.!?;]*\?)"
)
# "...from lying still for the scan, but it's still there two days later and spreading": the
# symptom has outlasted the cause given for it.
_OUTLASTED = re.compile(
    r"\b(?:still there|(?:is|are|it is) spreading|(?:has|have) spread|(?:has|have) not "
    r"(?:gone|worn off|eased|settled)|not (?:going|gone|wearing|worn) (?:away|off)|"
    r"(?:\d+|two|three|four|five|a few|several) days later)\b"
)
# "Since the report said 'widespread metastases' I keep thinking...": the writer speaking for
# themselves ends what is reported, unless asked about ("asked if I feel...").
_OWN_STATEMENT = re.compile(
    r"(?<!if )(?<!whether )(?<!that )\bi (?:keep|am|feel|felt|think|thought|have been|"
    r"can not|could not)\b"
)
_DEFAULT = "sentence"
# A sign set aside for one of these still gets a sentence on when to call: it was there once,
# is there but known, is mild, or is asked about ("what if my legs go numb?": the person
# wants to know what to do).
SAFETY_NET_REASONS = {"past", "resolved", "known", "mild", "topic_question"}


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class Category(_Strict):
    reply: Literal["urgent", "crisis"]
    # What a nurse reads in an alert about it.
    label: str


class Mild(_Strict):
    """ "No numbness or weakness, just a dull ache in my lower back": slight pain, with the signs
    that would make it urgent said to be absent. The person gets the answer and the safety net
    (what would make it urgent, and the number to call), not the emergency reply."""

    # A word that says the pain is slight, in the same sentence.
    marker: str
    # At least one of these said to be absent somewhere in the message.
    denied: list[str]
    # Nothing in the sentence that says it is new, now, worse or severe.
    not_with: list[str]


class Sign(_Strict):
    id: str
    category: str
    says: str
    # Any one of these lists of concepts, all found (and not set aside) in one sentence or clause.
    when: list[list[str]]
    scope: Literal["clause", "sentence"] = _DEFAULT
    # Concepts that cancel the sign when found in the same scope.
    unless: list[str] = []
    # Long-standing and settled (back pain for years, unchanged, looked at) where it is told:
    # in its sentence, or only in its own clause. The person gets the answer and a safety net.
    known: Literal["sentence", "clause"] | None = None
    mild: Mild | None = None
    # Thoughts of self-harm: a question about the topic still alarms.
    always: bool = False
    # Signs that only count together (see `clusters`).
    cluster: str | None = None


class Cluster(_Strict):
    at_least: int
    # One is enough when one of these concepts is anywhere in the message...
    or_one_with: list[str]
    # ...or in the same clause as the symptom ("so thirsty", "sick four times").
    or_one_with_in_clause: list[str]


class Negation(_Strict):
    cues: list[str]
    # Phrases that contain a cue but negate nothing.
    pseudo: list[str]
    window: int
    # "no" as an answer, not a negation ("no my legs are numb").
    answer_no_before: str
    # After the mention, words that make "never" mean "not until now".
    never_until_now: str


class Clauses(_Strict):
    breaks: list[str]
    # After a comma, words that go on about what came before it ("numb toes, been like that
    # for months"): no new clause there.
    continues_after_comma: str
    # A sentence that starts by pointing back at the one before: "That was 20 years ago."
    refers_back: str
    # A sentence that answers no to what the one before says was asked: "He said no to all
    # of it."
    denial: str
    new_subject_after_and: str
    # A clause about the person or their family, which a story told of others does not reach.
    own_subject: str
    # A clause that starts by saying when: "when he was ill five years ago, ...".
    time_clause: str


class Context(_Strict):
    """Concepts that say when something happened, rather than what."""

    past: str
    # An everyday cause that explains it even today: "numb from sitting", "after my run".
    passing: str
    current: str
    resolved: str
    recurrence: str
    long_standing: str
    settled: str
    onset: str
    # "the leaflet lists...", "the nurse asked if...": what follows in the clause is not told.
    reported: str
    # A story told of others (a novel, a soap, a podcast, someone who has died): the rest of
    # its sentence is theirs, up to a clause about the person or their family.
    story: str
    # A test done, booked or wanted for it: the care team is already looking into it.
    investigated: str
    # "can it wait?", "should we go to A&E?": never set aside.
    urgency: str


class TopicQuestions(_Strict):
    leads: list[str]
    # "can/is/does" start a question only before a subject: "can barely walk" is not one.
    not_a_subject: list[str]
    openers: list[str]
    personal: list[str]
    not_personal: list[str]
    # "What should I do if my legs go numb?": about what might happen, whoever it would be.
    hypothetical: list[str]
    # "...if mum started having accidents": a start inside the condition is not news.
    conditional_onset: str
    # "...if you've got chest pain? Mine started this morning": the topic made the person's own.
    claimed_after: list[str]
    # "...a sign of anything? Asking for me tbh": made the person's own without a time.
    claimed_outright: list[str]
    # "...mine are absolutely fine": a later sentence that says all is well claims nothing.
    all_well: str


class Typos(_Strict):
    # Words a misspelling is corrected to: the model's own words.
    words: list[str]
    # Real words close to those, never "corrected".
    keep: list[str]
    # Text-speak, and contractions written without an apostrophe or not built the usual way.
    spellings: dict[str, str]
    # Care staff's shorthand ("N&V", "c/o", "LBP"), spelt out before the text is split into
    # words, which would part "n&v" into "n" (and) and "v" (very).
    shorthand: dict[str, str]
    # Words whose "'s" is "is" ("he's"); after any other word it is a possessive ("mum's").
    contracted_is: list[str]
    min_length: int
    cutoff: int


class RedFlagRules(_Strict):
    categories: dict[str, Category]
    macros: dict[str, str]
    idioms: list[str]
    concepts: dict[str, list[str]]
    signs: list[Sign]
    clusters: dict[str, Cluster]
    safety_net: list[str]
    # Concepts an everyday cause never explains (see `never_passing` in red_flags.yml).
    never_passing: list[str]
    # Concepts that name where, not what: on their own they do not ask the second opinion.
    body_parts: list[str]
    context: Context
    negation: Negation
    clauses: Clauses
    topic_questions: TopicQuestions
    typos: Typos

    @validator("macros")
    def macros_expand(cls, macros: dict[str, str]) -> dict[str, str]:
        return {name: _expand(text, macros) for name, text in macros.items()}

    @root_validator(skip_on_failure=True)
    def model_is_consistent(cls, values: dict) -> dict:
        problems = []
        macros, concepts = values["macros"], values["concepts"]
        for name, patterns in [*concepts.items(), ("idioms", values["idioms"])]:
            for pattern in patterns:
                try:
                    re.compile(_expand(pattern, macros))
                except (re.error, KeyError) as error:
                    problems.append(f"concept {name!r}: bad pattern {pattern!r}: {error}")
        used = [
            *values["safety_net"],
            *values["never_passing"],
            *values["body_parts"],
            *values["context"].dict().values(),
        ]
        for cluster in values["clusters"].values():
            used += [*cluster.or_one_with, *cluster.or_one_with_in_clause]
        seen = set()
        for sign in values["signs"]:
            if sign.id in seen:
                problems.append(f"sign {sign.id!r} is listed twice")
            seen.add(sign.id)
            if sign.category not in values["categories"]:
                problems.append(f"sign {sign.id!r}: unknown category {sign.category!r}")
            if sign.cluster and sign.cluster not in values["clusters"]:
                problems.append(f"sign {sign.id!r}: unknown cluster {sign.cluster!r}")
            used += [c for group in sign.when for c in group] + sign.unless
            if sign.mild:
                used += [sign.mild.marker, *sign.mild.denied, *sign.mild.not_with]
        problems += [f"unknown concept {c!r}" for c in dict.fromkeys(used) if c not in concepts]
        if problems:
            raise ValueError("; ".join(problems))
        return values


def describe(signs: Sequence[str]) -> str:
    """ "numbness or tingling and trouble walking", in the person's kind of words: what the
    red-flag reply says was mentioned, from Rasa's action or the gateway's own reply alike."""
    signs = list(signs)
    if not signs:
        return UNNAMED_SIGN
    if len(signs) == 1:
        return signs[0]
    return f"{', '.join(signs[:-1])} and {signs[-1]}"


def _replace(text: str, spans: list[tuple[str, int, int]], by: str) -> str:
    """`text` with each (name, start, end) span, in order and not overlapping, replaced."""
    pieces, end = [], 0
    for _, start, stop in spans:
        pieces += [text[end:start], by]
        end = stop
    return "".join([*pieces, text[end:]])


def _expand(pattern: str, macros: dict[str, str], depth: int = 0) -> str:
    if depth > 5:
        raise KeyError(f"macros nest too deep in {pattern!r}")
    expanded = _MACRO.sub(lambda m: macros[m.group(1)], pattern)
    return expanded if expanded == pattern else _expand(expanded, macros, depth + 1)


def _phrases(phrases: list[str]) -> str:
    """One alternation of whole phrases, longest first."""
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


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
    # No alarm, but the message speaks of pain or a symptom (known back pain, one that went
    # away, a single mild one): the answer gets one sentence on when to call.
    safety_net: bool = False

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
class Mention:
    concept: str
    start: int
    end: int
    clause: int
    # "live", or why it does not count: "negated", "past", "resolved".
    state: str


@dataclass(frozen=True)
class Sentence:
    text: str
    clauses: tuple[tuple[int, int], ...]
    mentions: dict[str, tuple[Mention, ...]]
    topic_question: bool
    question: bool
    # (concept, clause or None for the whole sentence) -> "live" if any mention there counts,
    # else why the first one does not.
    states: dict[tuple[str, int | None], str]

    def state(self, concept: str, clause: int | None = None) -> str:
        return self.states.get((concept, clause), "absent")

    def live(self, concept: str, clause: int | None = None) -> bool:
        return self.states.get((concept, clause)) == "live"


class RedFlagDetector:
    def __init__(self, rules: RedFlagRules, second_opinion: SecondOpinion | None = None) -> None:
        self.rules = rules
        self.second_opinion = second_opinion
        self.category_order = tuple(rules.categories)
        macros = rules.macros

        def whole_words(patterns: list[str]) -> re.Pattern:
            either = "|".join(f"(?:{_expand(p, macros)})" for p in patterns)
            return re.compile(rf"(?<![a-z0-9])(?:{either})(?![a-z0-9])")

        symptoms = {c for sign in rules.signs for group in sign.when for c in group}
        symptoms = (symptoms | set(rules.safety_net)) - set(rules.context.dict().values())
        self._symptom_patterns = PatternSet(
            {name: whole_words(p) for name, p in rules.concepts.items() if name in symptoms}
        )
        self._context_patterns = PatternSet(
            {name: whole_words(p) for name, p in rules.concepts.items() if name not in symptoms}
        )
        self._idioms = PatternSet({"idioms": whole_words(rules.idioms)})
        negation = rules.negation
        self._cue = re.compile(rf"\b(?:{_phrases(negation.cues)})\b")
        self._pseudo = re.compile(rf"\b(?:{_phrases(negation.pseudo)})\b")
        self._answer_no = re.compile(rf"^\s*no (?={negation.answer_no_before}\b)")
        self._never_until_now = re.compile(negation.never_until_now)
        clauses = rules.clauses
        new_subject = _expand(clauses.new_subject_after_and, macros)
        self._boundary = re.compile(
            # A comma before "numbness or weakness" continues a list ("no pain, numbness or
            # weakness"), and before "been like this" it goes on about the same thing; before
            # anything else it starts a clause.
            rf"[:()\[\]\"]+|,+(?!\s*(?:[a-z0-9']+ ){{1,3}}(?:or|nor)\b)"
            rf"(?!\s*(?:{_expand(clauses.continues_after_comma, macros)}))|\s-\s"
            # "for a while" is a time, not "while" starting a clause.
            rf"|(?<!\ba )\b(?:{_phrases(clauses.breaks)})\b"
            rf"|\band (?={new_subject}\b)"
        )
        topic = rules.topic_questions
        self._opener = re.compile(rf"^(?:(?:{_phrases(topic.openers)})\s+)*")
        self._lead = re.compile(
            rf"^(?:{_phrases(topic.leads)})\b(?! (?:{_phrases(topic.not_a_subject)})\b)"
        )
        self._personal = re.compile(rf"\b(?:{_phrases(topic.personal)})\b")
        self._not_personal = re.compile(rf"\b(?:{_phrases(topic.not_personal)})\b")
        self._refers_back = re.compile(rf"(?:{clauses.refers_back})\b")
        # "..., well I can't feel my bum now": a filler before the subject.
        self._new_subject = re.compile(
            rf"\s*(?:(?:well|so|oh|ok|okay|anyway|and|but|then),? )*"
            rf"(?:{new_subject})\b"
        )
        self._own_subject = re.compile(
            rf"\s*(?:(?:and|but|so|then|now) )*(?:{_expand(clauses.own_subject, macros)})\b"
        )
        self._time_clause = re.compile(rf"\s*(?:{clauses.time_clause})\b")
        denial = _expand(clauses.denial, macros)
        self._denial = re.compile(rf"(?:{denial})\b")
        # A denial tacked on after a comma or a dash is a sentence of its own, so that it can
        # close what was asked before it: "...numbness, weakness, leaking - none of those".
        self._tacked_denial = re.compile(rf"(?:,|:|\s[-\u2013\u2014]+)\s*(?=(?:{denial})\b)")
        self._hypothetical = re.compile("|".join(f"(?:{p})" for p in topic.hypothetical))
        self._claimed = re.compile("|".join(f"(?:{p})" for p in topic.claimed_after))
        self._claimed_outright = re.compile(
            "|".join(f"(?:{_expand(p, macros)})" for p in topic.claimed_outright)
        )
        self._all_well = re.compile(topic.all_well)
        self._conditional_onset = re.compile(topic.conditional_onset)
        typos = rules.typos
        self._known = set(typos.keep) | set(typos.words)
        self._misspelled = typo_variants(typos.words, self._known)
        by_length = sorted(typos.shorthand, key=len, reverse=True)
        self._shorthand = re.compile(
            rf"(?<![a-z0-9])(?:{'|'.join(map(re.escape, by_length))})(?![a-z0-9])"
        )
        # Typos keep their first letter far more often than not; comparing only within it
        # also stops "talking" from becoming "walking".
        self._by_letter: dict[str, list[str]] = {}
        for word in typos.words:
            if len(word) >= typos.min_length:
                self._by_letter.setdefault(word[0], []).append(word)
        self._spell = lru_cache(maxsize=8192)(self._spell_token)
        self._context_concepts = set(rules.context.dict().values())
        self._sign_concepts = {
            c for sign in rules.signs for group in sign.when for c in group
        } - self._context_concepts
        self._always_concepts = {
            c for sign in rules.signs if sign.always for group in sign.when for c in group
        }

    # Normalizing

    def normalize(self, text: str) -> str:
        text = text.lower()
        text = _QUOTE.sub(" ", _APOSTROPHE.sub("'", text))
        text = self._shorthand.sub(lambda m: self.rules.typos.shorthand[m.group(0)], text)
        text = _JOINER.sub(" ", text)
        text = _TOKEN.sub(lambda m: self._spell(m.group(0)), text)
        text = _HAS.sub(r"\1 has ", text)
        return _SPACES.sub(" ", text).strip()

    def _spell_token(self, token: str) -> str:
        spellings = self.rules.typos.spellings
        if token in spellings:
            return spellings[token]
        if "'" in token:
            return self._spelled_contraction(token)
        return self._fix_typo(token)

    def _spelled_contraction(self, token: str) -> str:
        stem, _, ending = token.partition("'")
        if ending == "t" and stem.endswith("n"):
            return f"{stem[:-1]} not"
        if ending == "s":
            return f"{stem} is" if stem in self.rules.typos.contracted_is else f"{stem}s"
        endings = {"m": "am", "re": "are", "ve": "have", "ll": "will", "d": "would"}
        return f"{stem} {endings[ending]}" if ending in endings else stem

    def _fix_typo(self, word: str) -> str:
        if word in self._known or not word.isalpha():
            return word
        if _RUN.search(word):
            # "sooo", "bladdder": try the run as one letter, then as two.
            for length in (1, 2):
                shorter = _RUN.sub(r"\1" * length, word)
                if shorter in self._known:
                    return shorter
            word = _RUN.sub(r"\1\1", word)
        if word in self._misspelled:
            return self._misspelled[word]
        if len(word) < self.rules.typos.min_length:
            return word
        best = process.extractOne(
            word,
            self._by_letter.get(word[0], []),
            scorer=fuzz.ratio,
            score_cutoff=self.rules.typos.cutoff,
        )
        # One letter more or less at most: "bathing" is not a misspelling of "breathing".
        return best[0] if best and abs(len(best[0]) - len(word)) <= 1 else word

    # Reading a message

    def sentences(self, normalized: str) -> list[Sentence]:
        """The sentences of a normalized message, read."""
        normalized = _replace(normalized, self._idioms.find(normalized), " ~ ")
        parts = [
            piece.strip()
            for part in _SENTENCE.finditer(normalized)
            for question in _TACKED_QUESTION.split(part.group(0))
            for piece in self._tacked_denial.split(question)
            if _WORD.search(piece)
        ]
        found = [self._symptom_patterns.find(part) for part in parts]
        # When and how something was said only matters once something could be a sign.
        if any(found):
            found = [f + self._context_patterns.find(p) for p, f in zip(parts, found, strict=True)]
        read = [self._read(part, f) for part, f in zip(parts, found, strict=True)]
        answered = {
            i - 1
            for i in range(1, len(parts))
            if _BARE_DENIAL.match(parts[i]) and self._checklist_item(parts[i - 1])
        }
        reopened = self._reopened_from(read)
        if reopened:
            read = [
                self._read(part, f, reopen=True) if i < reopened else sentence
                for i, (part, f, sentence) in enumerate(zip(parts, found, read, strict=True))
            ]
        closing = self._story_closed(read)
        if closing is None and not answered:
            return read
        index, state, concepts = closing or (0, "negated", None)
        context = self.rules.context
        result = []
        for i, (part, f, sentence) in enumerate(zip(parts, found, read, strict=True)):
            if i in answered:
                sentence = self._read(
                    part, f, closed_as="negated", last_clause_only=True, reopen=i < reopened
                )
            elif (
                i < index
                and not sentence.live(context.current)
                # A denial answers only what was asked about: what a form or a nurse asked, or
                # a question nobody's own ("Tingling, heavy legs, any of that? I said no").
                and (
                    state != "negated"
                    or sentence.live(context.reported)
                    or (i == index - 1 and sentence.question and not self._personal_words(part))
                )
            ):
                sentence = self._read(
                    part, f, closed_as=state, closed_concepts=concepts, reopen=i < reopened
                )
            result.append(sentence)
        return result

    def _reopened_from(self, sentences: list[Sentence]) -> int:
        """The first sentence that says what was told as over is back now ("Blood in my phlegm
        months ago, it stopped. Today it's back."): the sentences before it are read as
        happening now. 0 when there is none."""
        for index, sentence in enumerate(sentences[1:], start=1):
            if (
                any(self._back_now(sentence, c) for c in range(len(sentence.clauses)))
                and not sentence.question
            ):
                return index
        return 0

    def _back_now(self, sentence: Sentence, clause: int) -> bool:
        """The clause says something is back and when, in words of their own ("today it's
        back"; not "again" alone, which says both), and reports nobody's words."""
        context = self.rules.context

        def spans(concept: str) -> set[tuple[int, int]]:
            return {
                (m.start, m.end)
                for m in sentence.mentions.get(concept, ())
                if m.clause == clause and m.state == "live"
            }

        back, now = spans(context.recurrence), spans(context.current)
        return (
            bool(back and now - back)
            and not sentence.live(context.reported, clause)
            # "walking to the shops again": a recovery, not a return.
            and not sentence.live(context.resolved)
        )

    def _personal_words(self, text: str) -> bool:
        return bool(self._personal.search(self._not_personal.sub(" ", text)))

    def _checklist_item(self, text: str) -> bool:
        words = len(_WORD.findall(text))
        if text.rstrip().endswith("?") and words <= _CHECKLIST_QUESTION_WORDS:
            return True
        return words <= _CHECKLIST_ITEM_WORDS and not self._personal_words(text)

    def _story_closed(
        self, sentences: list[Sentence]
    ) -> tuple[int, str, frozenset[str] | None] | None:
        """A story told, then closed by a later sentence: "Last week she was confused and very
        thirsty... She's back to herself now" (resolved), "...a hip that snapped. That was 20
        years ago." (past). The first such sentence, what it makes of the signs before it
        (which keep an alarm if told as happening now), and which: all of them, or only those
        it names itself ("...numbness in my feet. The numbness has gone"), so that "Dad is
        confused. His back pain went away" still alarms."""
        context = self.rules.context
        for index, sentence in enumerate(sentences[1:], start=1):
            own = {
                c: [m.state for m in sentence.mentions.get(c, ()) if m.state != "negated"]
                for c in self._sign_concepts
            }
            own = {c: states for c, states in own.items() if states}
            if (
                sentence.question
                or _told_outside_resolutions(sentence, context.onset, context)
                or _told_outside_resolutions(sentence, context.recurrence, context)
                or any("live" in states for states in own.values())
            ):
                continue
            # "He's fine now" closes everything told before; "the pain has settled" only pain.
            whole = any(
                sentence.live(context.resolved, c)
                and not any(m.clause == c for sign in own for m in sentence.mentions[sign])
                for c in range(len(sentence.clauses))
            )
            concepts = None if whole else (frozenset(own) or None)
            if not own and any(
                self._denial.match(sentence.text, _first_word(sentence.text, begin))
                for begin, _ in sentence.clauses
            ):
                # "They asked if he'd had any falls... He said none of that has happened."
                return index, "negated", None
            if sentence.live(context.resolved):
                return index, "resolved", concepts
            if sentence.live(context.past) and self._refers_back.match(sentence.text):
                return index, "past", concepts
        return None

    def _read(
        self,
        text: str,
        found: list[tuple[str, int, int]],
        closed_as: str | None = None,
        closed_concepts: frozenset[str] | None = None,
        last_clause_only: bool = False,
        reopen: bool = False,
    ) -> Sentence:
        clauses = self._clauses(text)
        clause_of = [_clause_index(clauses, start) for _, start, _ in found]
        negated = [
            self._negated(text, clauses[clause], concept, start, end, found)
            for (concept, start, end), clause in zip(found, clause_of, strict=True)
        ]
        self._negate_list(text, found, clause_of, negated)
        context = self.rules.context
        mentions: dict[str, list[Mention]] = {}
        for (concept, start, end), clause, is_negated in zip(
            found, clause_of, negated, strict=True
        ):
            state = "negated" if is_negated else "live"
            mentions.setdefault(concept, []).append(Mention(concept, start, end, clause, state))
        # "the oncologist reviewed it last week": when it was looked at, not when it began.
        looked_at = [
            (m.start, m.end)
            for c in (context.settled, context.investigated)
            for m in mentions.get(c, ())
        ]
        for c in (context.onset, context.current):
            if c in mentions and looked_at:
                kept = [
                    m
                    for m in mentions[c]
                    if not any(s <= m.start and m.end <= e for s, e in looked_at)
                ]
                if kept:
                    mentions[c] = kept
                else:
                    del mentions[c]
        if {
            context.past,
            context.passing,
            context.resolved,
            context.reported,
            context.story,
        } & mentions.keys():
            mentions = self._when(mentions, text, clauses)
        if reopen:
            mentions = self._restated(mentions, lambda m: m.state in ("past", "resolved"), "live")
        if closed_as:
            last = len(clauses) - 1
            mentions = self._restated(
                mentions,
                lambda m: (
                    m.state == "live"
                    and (closed_concepts is None or m.concept in closed_concepts)
                    # "Last night I sat in the garage with the engine running. I'm OK now":
                    # a later "I'm OK" does not close thoughts of self-harm (signs `always`).
                    and not (closed_as == "resolved" and m.concept in self._always_concepts)
                    # A checklist's "no" answers its last item: "thirst - yes, sickness - no".
                    and (not last_clause_only or m.clause == last)
                ),
                closed_as,
            )
        states: dict[tuple[str, int | None], str] = {}
        for concept, found_mentions in mentions.items():
            for mention in found_mentions:
                for key in ((concept, None), (concept, mention.clause)):
                    if states.get(key) != "live" and (key not in states or mention.state == "live"):
                        states[key] = mention.state
        asked = self._opener.sub("", text)
        personal = self._personal.search(self._not_personal.sub(" ", text))
        # Only while nothing says it is happening: "what do I do if it gets worse again" is news.
        # "Can you break a bone from coughing?" asks as much as "can you explain..." does.
        leads = bool(self._lead.match(asked) or self._lead.match(text))
        hypothetical = False
        if self._hypothetical.search(asked):
            conditions = [m.span() for m in self._conditional_onset.finditer(text)]
            # "Should I worry if I ever get sudden pain after a knock?": a sudden start told
            # after "if ... ever" in its clause is part of the condition ("again today" there
            # is news).
            supposed = conditions + [
                (m.start(), clauses[_clause_index(clauses, m.start())][1])
                for m in self._hypothetical.finditer(text)
            ]
            hypothetical = not any(
                m.state == "live" and not any(s <= m.start and m.end <= e for s, e in spans)
                for c, spans in ((context.onset, supposed), (context.current, conditions))
                for m in mentions.get(c, ())
            )
        return Sentence(
            text=text,
            clauses=tuple(clauses),
            mentions={c: tuple(m) for c, m in mentions.items()},
            topic_question=hypothetical or (leads and not personal),
            question="?" in text or leads,
            states=states,
        )

    def _restated(
        self, mentions: dict[str, list[Mention]], which: Callable[[Mention], bool], state: str
    ) -> dict[str, list[Mention]]:
        """The mentions of signs that `which` picks, told as `state` instead."""
        return {
            concept: [
                Mention(concept, m.start, m.end, m.clause, state)
                if concept in self._sign_concepts and which(m)
                else m
                for m in found
            ]
            for concept, found in mentions.items()
        }

    def _clauses(self, text: str) -> list[tuple[int, int]]:
        """Where each clause begins and ends.

        Negation and "in the past" reach only within a clause, so "no fever and my legs are
        weak" still alarms.
        """
        clauses, begin = [], 0
        for boundary in self._boundary.finditer(text):
            clauses.append((begin, boundary.start()))
            begin = boundary.end()
        clauses.append((begin, len(text)))
        # ", but" is two boundaries with nothing between them: no clause there.
        worded = [c for c in clauses if _WORD.search(text, c[0], c[1])]
        return worded or clauses

    def _negate_list(
        self,
        text: str,
        found: list[tuple[str, int, int]],
        clause_of: list[int],
        negated: list[bool],
    ) -> None:
        """A negation reaches along a list of signs in its clause: "there hasn't been a single
        bout of sickness, thirst or confusion"."""
        signs = sorted(
            (start, end, i)
            for i, (concept, start, end) in enumerate(found)
            if concept in self._sign_concepts
        )
        reach: dict[int, int] = {}  # clause -> where the last negated sign ended
        for start, end, i in signs:
            clause = clause_of[i]
            last = reach.get(clause)
            if not negated[i] and last is not None and last <= start:
                gap = text[last:start]
                negated[i] = bool(gap.strip()) and _LIST_JOIN.fullmatch(gap) is not None
            if negated[i]:
                reach[clause] = max(end, reach.get(clause, end))

    def _negated(
        self,
        text: str,
        clause: tuple[int, int],
        this: str,
        start: int,
        end: int,
        found: list[tuple[str, int, int]],
    ) -> bool:
        """A negation cue shortly before the mention, in its clause (NegEx-style).

        A cue inside another mention belongs to it ("can not feel my legs" does not negate
        "legs"; "not peed" does not negate "peed"), unless that mention is a context phrase
        holding this one ("no worse" negates "worse").
        """
        begin = clause[0]
        before = text[begin:start]
        for concept, other_start, other_end in found:
            if (
                other_start >= start
                or other_end <= begin
                or (other_start, other_end)
                == (
                    start,
                    end,
                )
            ):
                continue
            holds_this = end <= other_end
            # A mention that only overlaps this one ("will not go" in "will not go away")
            # keeps its cue for this one.
            if other_end > start and not holds_this:
                continue
            if holds_this and concept in self._context_concepts:
                continue
            # "not worse at night or lying down": the cue in "not worse" reaches the signs after.
            if concept == self.rules.context.settled and this in self._sign_concepts:
                continue
            low, high = max(other_start, begin) - begin, min(other_end, start) - begin
            before = before[:low] + " " * (high - low) + before[high:]
        words = self._pseudo.sub(" ", self._answer_no.sub("", before)).split()
        near = words[-self.rules.negation.window :]
        if "never" in near and self._never_until_now.search(text, end, clause[1]):
            near = near[: len(near) - near[::-1].index("never") - 1]
        return bool(self._cue.search(" ".join(near)))

    def _when(
        self, mentions: dict[str, list[Mention]], text: str, clauses: list[tuple[int, int]]
    ) -> dict[str, list[Mention]]:
        """Set aside mentions that are reported (after "the leaflet says" in their clause), in
        the past (a marker in their own clause, with none of "now"), or resolved (a resolution
        after them in the sentence, with no recurrence after it)."""
        context = self.rules.context

        def live(concept: str) -> list[Mention]:
            return [m for m in mentions.get(concept, []) if m.state == "live"]

        reported = [(m.clause, m.start) for m in live(context.reported)]
        # "The leaflet lists confusion, thirst, being sick and constipation": what is reported
        # reaches over the list that follows it, up to a clause with a subject of its own
        # ("..., my legs are weak") or a word that starts one ("but", "and now").
        for clause, _ in list(reported):
            reported += [(f, clauses[f][0] - 1) for f in self._list_after(text, clauses, clause)]
        # "Reading a novel where the main character's calcium goes up, and she gets confused":
        # a story reaches over its sentence's clauses told of others (he, she, they).
        for mention in live(context.story):
            reported.append((mention.clause, mention.start))
            for following in range(mention.clause + 1, len(clauses)):
                if self._own_subject.match(text, clauses[following][0]):
                    break
                reported.append((following, clauses[following][0] - 1))
        past = live(context.past)
        past_clauses = {m.clause for m in past}
        # "A heart attack in 2010, chest pain, ambulance, the works": a time reaches over the
        # list that follows it, as what is reported does.
        past_clauses |= {f for c in past_clauses for f in self._list_after(text, clauses, c)}
        # "Years ago, before I was diagnosed, my legs went weak", "When my neighbour was ill
        # five years ago, he lost control of his bladder", "he got confused, years back":
        # leading clauses that say only when (or start with it), or a last one that says only
        # when, make the whole sentence past.
        leading = 0
        while leading in past_clauses and (
            self._only_when(text, clauses[leading], past)
            or self._time_clause.match(text, clauses[leading][0])
        ):
            leading += 1
        last = len(clauses) - 1
        trailing = (
            last > 0
            and last in past_clauses
            and not live(context.onset)
            and not live(context.current)
            and self._only_when(text, clauses[last], past, most=1)
        )
        if leading or trailing:
            past_clauses = set(range(len(clauses)))
        current_clauses = {m.clause for m in live(context.current)}
        passing_clauses = {
            m.clause
            for m in live(context.passing)
            if not _ASKED_CAUSE.search(text, 0, m.start) and not _OUTLASTED.search(text, m.end)
        }
        for c in sorted(passing_clauses, reverse=True):
            while c > 0 and _EXPLAINS.search(text, clauses[c - 1][1], clauses[c][0] + 1):
                c -= 1
                passing_clauses.add(c)
        # "Last year I had an episode where my legs went weak and I couldn't feel my feet": a
        # sentence that opens with a time in the past is told of then, but for a clause that
        # says now or that something started.
        if any(m.start <= _OPENING_CHARS for m in past):
            started = {m.clause for m in live(context.onset)}
            past_clauses |= set(range(len(clauses))) - current_clauses - started
        # "the grip in my hand has gone" is a sign, not a recovery: a resolution inside a
        # sign's own words does not count.
        sign_spans = [(m.start, m.end) for c in self._sign_concepts for m in live(c)]
        resolved_mentions = [
            m
            for m in live(context.resolved)
            if not any(start <= m.start and m.end <= end for start, end in sign_spans)
        ]
        resolutions = [m.start for m in resolved_mentions]
        resolved_spans = [(m.start, m.end) for m in resolved_mentions]
        # "her strength has come back" is a recovery, not a recurrence.
        recurrences = [
            m.start
            for m in live(context.recurrence)
            if not any(start <= m.start and m.end <= end for start, end in resolved_spans)
        ]
        never_passing = set(self.rules.never_passing)
        updated = {}
        for concept, found in mentions.items():
            if concept not in self._sign_concepts:
                updated[concept] = found
                continue
            updated[concept] = []
            for mention in found:
                state = mention.state
                if state == "live":
                    if any(
                        c == mention.clause
                        and s < mention.start
                        and not _OWN_STATEMENT.search(text, s, mention.start)
                        for c, s in reported
                    ):
                        state = "reported"
                    elif (mention.clause in passing_clauses and concept not in never_passing) or (
                        mention.clause in past_clauses and mention.clause not in current_clauses
                    ):
                        state = "past"
                    elif any(
                        r >= mention.end and not any(later > r for later in recurrences)
                        for r in resolutions
                    ):
                        state = "resolved"
                updated[concept].append(
                    Mention(concept, mention.start, mention.end, mention.clause, state)
                )
        return updated

    def _list_after(self, text: str, clauses: list[tuple[int, int]], clause: int) -> range:
        """The clauses after `clause` that go on with its comma list: up to one with words
        before it ("and", "but") or a subject of its own ("..., my legs are weak")."""
        end = clause + 1
        while end < len(clauses):
            between = text[clauses[end - 1][1] : clauses[end][0]]
            if re.search(r"[a-z]", between) or self._new_subject.match(text, clauses[end][0]):
                break
            end += 1
        return range(clause + 1, end)

    @staticmethod
    def _only_when(
        text: str, clause: tuple[int, int], markers: list[Mention], most: int = 2
    ) -> bool:
        """The clause is a time marker and at most `most` other words ("years ago", "back in
        2010", "before I was diagnosed")."""
        begin, end = clause
        # "..., that was years ago": the words that point back are not more news.
        rest = _POINTS_BACK.sub("", text[begin:end])
        begin = end - len(rest)
        for m in sorted(markers, key=lambda m: -m.start):
            if begin <= m.start and m.end <= end:
                rest = rest[: m.start - begin] + " " + rest[m.end - begin :]
        return len(_WORD.findall(rest)) <= most

    # Signs

    def screen(self, text: str) -> Screening:
        normalized = self.normalize(text)
        sentences = self.sentences(normalized)
        present = {concept for sentence in sentences for concept, _ in sentence.states}
        findings: list[Finding] = []
        set_aside: list[tuple[Finding, str]] = []
        pooled: dict[str, list[tuple[Finding, Sign, int, int]]] = {}
        for sign in self.rules.signs:
            if not any(present.issuperset(group) for group in sign.when):
                continue
            finding = Finding(sign.id, sign.category, sign.says)
            where, reason = self._find(sign, sentences)
            if where is None:
                if reason:
                    set_aside.append((finding, reason))
            elif sign.cluster:
                pooled.setdefault(sign.cluster, []).append((finding, sign, *where))
            else:
                findings.append(finding)
        for name, members in pooled.items():
            if self._cluster_holds(self.rules.clusters[name], members, sentences):
                findings += [finding for finding, *_ in members]
            else:
                set_aside += [(finding, "mild") for finding, *_ in members]
        if not findings and self._second_opinion_asked(sentences, set_aside):
            category = self.second_opinion.category(normalized)
        elif not findings and not set_aside and self.second_opinion is not None:
            category = SELF_HARM if self.second_opinion.self_harm(normalized) else None
        else:
            category = None
        if category is not None:
            label = self.rules.categories[category].label
            findings.append(Finding(f"learnt_{category}", category, label))
        safety_net = not findings and (
            any(reason in SAFETY_NET_REASONS for _, reason in set_aside)
            or any(
                # Told as over, a symptom still gets the sentence on when it would be urgent.
                s.state(concept) in ("live", "past", "resolved")
                for s in sentences
                if not s.topic_question
                for concept in self.rules.safety_net
            )
        )
        return Screening(tuple(findings), tuple(set_aside), self.category_order, safety_net)

    def _second_opinion_asked(
        self, sentences: list[Sentence], set_aside: list[tuple[Finding, str]]
    ) -> bool:
        """Only when a symptom word was read and the rules set nothing aside on purpose (past,
        resolved, known, or one mild symptom: "I feel a bit sick"). A body part alone is no
        symptom: nearly every question here names a bone."""
        if self.second_opinion is None or set_aside:
            return False
        return any(
            state == "live"
            and clause is None
            and concept in self._symptom_patterns
            and concept not in self.rules.body_parts
            for sentence in sentences
            for (concept, clause), state in sentence.states.items()
        )

    def _find(
        self, sign: Sign, sentences: list[Sentence]
    ) -> tuple[tuple[int, int] | None, str | None]:
        """Where the sign is found (sentence, clause), or why it was set aside."""
        reasons: list[str] = []
        for index, sentence in enumerate(sentences):
            units = range(len(sentence.clauses)) if sign.scope == "clause" else [None]
            for clause in units:
                reason = self._reason_to_set_aside(sign, sentences, index, clause)
                if reason is None:
                    return (index, clause if clause is not None else -1), None
                if reason != "absent":
                    reasons.append(reason)
        return None, (reasons[0] if reasons else None)

    def _reason_to_set_aside(
        self, sign: Sign, sentences: list[Sentence], index: int, clause: int | None
    ) -> str:
        sentence = sentences[index]
        blocked = None
        for group in sign.when:
            states = [sentence.state(concept, clause) for concept in group]
            if "absent" in states:
                continue
            blocked = next((s for s in states if s != "live"), None)
            if blocked is None:
                break
        else:
            return blocked or "absent"
        if any(sentence.live(concept, clause) for concept in sign.unless):
            return "unless"
        if (
            sentence.topic_question
            and not sign.always
            and not self._claimed_later(sentences, index)
        ):
            return "topic_question"
        if sign.known == "sentence" and (
            self._settled_long_ago(sentences, index) or self._being_looked_into(sentences, index)
        ):
            return "known"
        if sign.mild and self._mild_with_urgent_signs_denied(sign.mild, sentences, index):
            return "mild"
        if sign.known == "clause":
            clauses = {
                m.clause
                for concept in group
                for m in sentence.mentions[concept]
                if m.state == "live" and (clause is None or m.clause == clause)
            }
            if all(self._settled_in_clause(sentence, c) for c in clauses):
                return "known"
        return None

    @staticmethod
    def _mild_with_urgent_signs_denied(mild: Mild, sentences: list[Sentence], index: int) -> bool:
        sentence = sentences[index]
        if not sentence.live(mild.marker) or any(sentence.live(c) for c in mild.not_with):
            return False
        return any(s.state(concept) == "negated" for s in sentences for concept in mild.denied)

    def _claimed_later(self, sentences: list[Sentence], index: int) -> bool:
        """A later sentence makes the asked-about symptom the person's own, and new or now."""
        context = self.rules.context
        return any(
            not self._all_well.search(s.text)
            and (
                self._claimed_outright.search(s.text)
                or (
                    self._claimed.search(s.text)
                    and (s.live(context.onset) or s.live(context.current))
                )
            )
            for s in sentences[index + 1 :]
        )

    def _settled_long_ago(self, sentences: list[Sentence], index: int) -> bool:
        """Long-standing and settled in its sentence, or in the one after it that goes on about
        it ("Will the MRI show why my back aches? It's the same ache I've had for years"), and
        nothing new there or in what the person says after it (a later question such as "will
        the MRI make it worse?" is not news)."""
        context = self.rules.context
        told = sentences[index : index + 2]
        if not all(any(s.live(c) for s in told) for c in (context.long_standing, context.settled)):
            return False
        later = [s for s in sentences[index + 1 :] if not s.question]
        return not any(s.live(context.onset) for s in [sentences[index], *later])

    def _being_looked_into(self, sentences: list[Sentence], index: int) -> bool:
        """Pain the care team is already testing for ("now back pain so they did a CT"), told
        as it is (nothing new, worse or severe), by someone who does not ask whether it can
        wait: the question gets its answer and a safety-net sentence, not the emergency reply
        alone."""
        context = self.rules.context
        later = [s for s in sentences[index + 1 :] if not s.question]
        return (
            any(s.live(context.investigated) for s in sentences)
            and not any(s.live(context.urgency) for s in sentences)
            and not any(
                sentences[index].live(c) for c in ("disabling", "aggravated", "night_waking")
            )
            and not any(s.live(context.onset) for s in [sentences[index], *later])
        )

    def _settled_in_clause(self, sentence: Sentence, clause: int) -> bool:
        """Long-standing in this clause and settled there, with nothing new or current in it;
        or settled elsewhere in its sentence ("numb patch for three years, the neurologist
        looked at it, it hasn't changed"), with nothing new or current anywhere in it. How
        long may also be told in the clause right after, if that one names no sign of its own
        ("numb feet from the chemo, same as it's been for 18 months, my team know")."""
        context = self.rules.context
        if not sentence.live(context.long_standing, clause):
            if not (
                self._only_how_long(sentence, clause + 1)
                or (clause > 0 and self._only_how_long(sentence, clause - 1))
            ):
                return False
            return (
                sentence.live(context.settled)
                and not sentence.live(context.onset)
                and not sentence.live(context.current)
            )
        if sentence.live(context.settled, clause):
            scope = clause
        elif sentence.live(context.settled):
            scope = None
        else:
            return False
        return not sentence.live(context.onset, scope) and not sentence.live(context.current, scope)

    def _only_how_long(self, sentence: Sentence, clause: int) -> bool:
        return clause < len(sentence.clauses) and (
            sentence.live(self.rules.context.long_standing, clause)
            and not any(
                m.clause == clause and m.state == "live"
                for concept in self._sign_concepts
                for m in sentence.mentions.get(concept, ())
            )
        )

    def _cluster_holds(
        self,
        cluster: Cluster,
        members: list[tuple[Finding, Sign, int, int]],
        sentences: list[Sentence],
    ) -> bool:
        if len(members) >= cluster.at_least:
            return True
        if any(s.live(c) for s in sentences for c in cluster.or_one_with):
            return True
        for _, sign, index, _ in members:
            sentence = sentences[index]
            clauses = {
                m.clause
                for group in sign.when
                for concept in group
                for m in sentence.mentions.get(concept, ())
                if m.state == "live"
            }
            markers = cluster.or_one_with_in_clause
            if any(sentence.live(c, clause) for c in markers for clause in clauses):
                return True
        return False


def _told_outside_resolutions(sentence: Sentence, concept: str, context: Context) -> bool:
    """A live mention of `concept` that is not part of a resolution: "come back" is, in "her
    strength has come back"."""
    resolutions = sentence.mentions.get(context.resolved, ())
    return any(
        m.state == "live" and not any(r.start <= m.start and m.end <= r.end for r in resolutions)
        for m in sentence.mentions.get(concept, ())
    )


def _first_word(text: str, begin: int) -> int:
    word = _WORD.search(text, begin)
    return word.start() if word else begin


def _clause_index(clauses: list[tuple[int, int]], position: int) -> int:
    for index, (_, end) in enumerate(clauses):
        if position < end:
            return index
    return len(clauses) - 1


def typo_variants(words: list[str], known: set[str]) -> dict[str, str]:
    """Misspellings of each word by one dropped or swapped letter (never the first letter),
    which is how short words are usually mistyped ("bak", "nek", "pian")."""
    variants: dict[str, str] = {}
    for word in words:
        if len(word) < 4:
            continue
        for i in range(1, len(word)):
            dropped = word[:i] + word[i + 1 :]
            variants.setdefault(dropped, word)
            if i < len(word) - 1:
                swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
                variants.setdefault(swapped, word)
    return {variant: word for variant, word in variants.items() if variant not in known}


def load_rules(path: Path = RED_FLAGS_FILE) -> RedFlagRules:
    with path.open(encoding="utf-8") as handle:
        return RedFlagRules(**yaml.safe_load(handle))


@lru_cache(maxsize=2)
def load_detector(path: Path = RED_FLAGS_FILE, second_opinion: bool = True) -> RedFlagDetector:
    """The rules, with the learnt second opinion (content/red_flag_model.py) when trained."""
    return RedFlagDetector(load_rules(path), SecondOpinion.load() if second_opinion else None)
