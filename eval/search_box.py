"""A plain search box over the source page: the bar the assistant must clear.

It ranks the page's paragraphs for the question with BM25 (Robertson and Zaragoza's Okapi
weighting, k1 = 1.5, b = 0.75) and shows the best one, or "no results" when nothing matches
well. Scored like the assistant: a paragraph passes an `answer` turn when it holds the expected
words; "no results" passes a `decline` or `not_on_page` turn; it never raises an alarm, so it
fails every `red_flag` turn. Each turn is searched on its own: a search box has no memory.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from content.source_text import source_text
from eval.cases import Case, Turn
from eval.scoring import CaseResult, TurnResult, judge_turn

K1, B = 1.5, 0.75
# Below this score the box shows "no results" (about two uncommon words in common).
NO_RESULT_BELOW = 4.0
# The page's own body ends here; what follows is the team blurb and the references.
BODY_ENDS_AT = "The American Cancer Society medical and editorial content team"
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "too",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "im",
        "just",
        "about",
        "after",
        "also",
        "any",
        "been",
        "being",
        "get",
        "got",
        "mum",
        "dad",
    ]
)


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]


@dataclass(frozen=True)
class Index:
    paragraphs: tuple[str, ...]
    counts: tuple[Counter, ...]
    document_frequency: Counter
    average_length: float

    def search(self, query: str) -> tuple[str | None, float]:
        """The best paragraph and its score; None when nothing scores high enough."""
        terms = set(words(query))
        total = len(self.paragraphs)
        best, best_score = None, 0.0
        for paragraph, counts in zip(self.paragraphs, self.counts, strict=True):
            length = sum(counts.values())
            score = 0.0
            for term in terms & counts.keys():
                df = self.document_frequency[term]
                idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
                tf = counts[term]
                score += (
                    idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self.average_length))
                )
            if score > best_score:
                best, best_score = paragraph, score
        return (best if best_score >= NO_RESULT_BELOW else None), best_score


@lru_cache(maxsize=1)
def page_index() -> Index:
    body = source_text().split(BODY_ENDS_AT)[0]
    paragraphs = tuple(p.strip() for p in body.split("\n") if len(p.split()) > 4)
    counts = tuple(Counter(words(p)) for p in paragraphs)
    document_frequency = Counter(term for c in counts for term in c)
    average = sum(sum(c.values()) for c in counts) / len(counts)
    return Index(paragraphs, counts, document_frequency, average)


def judge_search(turn: Turn) -> TurnResult:
    found, _ = page_index().search(turn.q)
    if found is None:
        # "No results" is the honest answer to a question the page does not cover.
        return replace(
            judge_turn(turn, "no results"), behaved=turn.behaviour in ("decline", "not_on_page")
        )
    return replace(judge_turn(turn, found), behaved=turn.behaviour == "answer")


def search_all(cases: dict[str, list[Case]]) -> list[CaseResult]:
    return [
        CaseResult(category, [judge_search(turn) for turn in case.turns])
        for category, group in cases.items()
        for case in group
    ]
