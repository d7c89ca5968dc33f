"""A spaCy component that finds the glossary's terms and tests in a message.

Exact aliases are found with a PhraseMatcher; misspellings ("hypercalsemia", "osteoblastik")
with rapidfuzz against the same aliases, and short or sounded-out ones ("litic", "LIE-tic")
by how they sound: the same consonants in the same order as a one-word alias. Each match
becomes an entity whose label is `test` or `term` and whose `kb_id_` is the canonical id from
`content/`, so Rasa gets "hypercalcemia" for any spelling of it.

The tokens of a match also get the canonical id as their lemma. Rasa's CountVectorsFeaturizer
counts lemmas, so "radiograph", "x ray" and "xray" become the one word the training data
teaches, and an alias or typo no training example uses is still understood.
"""
# No `from __future__ import annotations` here: spaCy reads the factory's type hints at run time.

from pathlib import Path

import srsly
from rapidfuzz import fuzz, process
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

PATTERNS_FILE = "patterns.jsonl"
# Typos are only looked for in words long enough that a near miss is not another word.
MIN_FUZZY_LENGTH = 5
# A sound key needs this many consonants to name one word ("ltk" for lytic; "pt" is too short).
MIN_SOUND_CONSONANTS = 3
_SOUNDS = [("ph", "f"), ("ck", "k"), ("c", "k"), ("q", "k"), ("x", "ks"), ("y", "i"), ("z", "s")]


def _borrows_a_stop_word(window: Span, alias: str) -> bool:
    """ "is telopeptide" is near "n telopeptide", but "is" belongs to the question: a near miss
    may not begin or end on a common word the alias does not have there."""
    words = alias.split()
    return (window[0].is_stop and window[0].lower_ != words[0]) or (
        window[-1].is_stop and window[-1].lower_ != words[-1]
    )


def sound_key(word: str) -> str:
    """Consonants in order, spelling variants folded: "lytic", "litic", "lie-tic" -> "ltk"."""
    key = "".join(c for c in word.lower() if c.isalpha())
    for spelling, sound in _SOUNDS:
        key = key.replace(spelling, sound)
    consonants = [c for c in key if c not in "aeiouh"]
    return "".join(c for i, c in enumerate(consonants) if i == 0 or c != consonants[i - 1])


@Language.factory(
    "glossary_term_matcher",
    default_config={"fuzzy_cutoff": 86},
)
def make_glossary_term_matcher(
    nlp: Language, name: str, fuzzy_cutoff: int
) -> "GlossaryTermMatcher":
    return GlossaryTermMatcher(nlp, name, fuzzy_cutoff)


class GlossaryTermMatcher:
    def __init__(self, nlp: Language, name: str, fuzzy_cutoff: int) -> None:
        self.nlp = nlp
        self.name = name
        self.fuzzy_cutoff = fuzzy_cutoff
        self.patterns: list[dict] = []
        self._compile()

    def add_patterns(self, patterns: list[dict]) -> None:
        """Patterns are `{"alias": str, "label": "test"|"term", "id": str}`."""
        self.patterns.extend(patterns)
        self._compile()

    def _compile(self) -> None:
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.targets: dict[str, tuple[str, str]] = {}
        by_length: dict[int, list[str]] = {}
        for pattern in self.patterns:
            alias_doc = self.nlp.make_doc(pattern["alias"])
            key = " ".join(t.lower_ for t in alias_doc)
            self.targets[key] = (pattern["label"], pattern["id"])
            self.matcher.add(key, [alias_doc])
            if len(key.replace(" ", "")) >= MIN_FUZZY_LENGTH:
                by_length.setdefault(len(alias_doc), []).append(key)
        self.fuzzy_choices = by_length
        # One-word aliases by how they sound; a sound two different targets share is dropped.
        sounds: dict[str, set[tuple[str, str]]] = {}
        for key, target in self.targets.items():
            if " " not in key and key.isalpha() and len(key) >= 4:
                sounds.setdefault(sound_key(key), set()).add(target)
        self.sounds = {
            sound: next(iter(targets))
            for sound, targets in sounds.items()
            if len(targets) == 1 and len(sound) >= MIN_SOUND_CONSONANTS
        }

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match_id, start, end in self.matcher(doc):
            label, canonical = self.targets[self.nlp.vocab.strings[match_id]]
            spans.append(Span(doc, start, end, label=label, kb_id=canonical))
        # A token inside an exact match is only looked at again by a longer window: "CT guided
        # bopsy" is the biopsy, though "CT" alone matched exactly.
        covered = {i: len(s) for s in spans for i in range(s.start, s.end)}
        spans.extend(self._fuzzy_spans(doc, covered))
        covered = {i: len(s) for s in spans for i in range(s.start, s.end)}
        spans.extend(self._sound_spans(doc, covered))
        doc.ents = filter_spans(spans)
        for ent in doc.ents:
            for token in ent:
                token.lemma_ = ent.kb_id_
        return doc

    def _fuzzy_spans(self, doc: Doc, covered: dict[int, int]) -> list[Span]:
        found = []
        for n_tokens, choices in self.fuzzy_choices.items():
            for start in range(0, len(doc) - n_tokens + 1):
                window = doc[start : start + n_tokens]
                if any(covered.get(i, 0) >= n_tokens for i in range(start, start + n_tokens)):
                    continue
                if not all(t.is_alpha or t.text in "-/" for t in window):
                    continue
                text = " ".join(t.lower_ for t in window)
                if len(text.replace(" ", "")) < MIN_FUZZY_LENGTH:
                    continue
                best = process.extractOne(
                    text, choices, scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff
                )
                if best and not _borrows_a_stop_word(window, best[0]):
                    label, canonical = self.targets[best[0]]
                    found.append(Span(doc, start, start + n_tokens, label=label, kb_id=canonical))
        return found

    def _sound_spans(self, doc: Doc, covered: dict[int, int]) -> list[Span]:
        """One word, or one word split by a hyphen ("LIT-ic"), that sounds like an alias."""
        found = []
        for start in range(len(doc)):
            for end in (start + 1, start + 3):
                window = doc[start:end]
                if end > len(doc) or any(i in covered for i in range(start, end)):
                    continue
                if end - start == 3 and window[1].text != "-":
                    continue
                word = "".join(t.text for t in window if t.text != "-")
                if not word.isalpha() or len(word) < 4:
                    continue
                target = self.sounds.get(sound_key(word))
                if target:
                    found.append(Span(doc, start, end, label=target[0], kb_id=target[1]))
        return found

    def to_disk(self, path: str | Path, exclude: tuple = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(path / PATTERNS_FILE, self.patterns)

    def from_disk(self, path: str | Path, exclude: tuple = ()) -> "GlossaryTermMatcher":
        self.patterns = list(srsly.read_jsonl(Path(path) / PATTERNS_FILE))
        self._compile()
        return self
