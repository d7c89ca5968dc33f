"""What one sentence asks: logistic regression on tf-idf of words and character fragments.

The model sees a sentence with each test or word from the glossary replaced by its kind
("what does TEST show", "what does TERM mean"), so it learns how a question is asked apart from
what it is about, and an aspect learnt for one test carries to every other. Character fragments
carry misspellings ("wat dose it sho"). It is saved as plain numbers (vocabularies, idf,
coefficients) rather than a pickle, so loading a model runs no code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

MODEL_FILE = "sentence_model.json"
WEIGHTS_FILE = "sentence_model.npz"

# Spelled-out forms, so "whats", "what's" and "what is" are one question to the model.
_CONTRACTIONS = [
    (re.compile(r"\bwhat'?s\b"), "what is"),
    (re.compile(r"\bwats?\b|\bwot\b"), "what"),
    (re.compile(r"\b(do|does|did|is|are|was|were|has|have|could|would|should)n'?t\b"), r"\1 not"),
    (re.compile(r"\bcan'?t\b|\bcannot\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\bi'?m\b"), "i am"),
    (re.compile(r"\b(it|that|there)'?s\b"), r"\1 is"),
    (re.compile(r"\bu\b"), "you"),
    (re.compile(r"\br\b"), "are"),
    (re.compile(r"\bpls\b|\bplz\b"), "please"),
]


def normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'")
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def word_vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        ngram_range=(1, 2),
        sublinear_tf=True,
        token_pattern=r"(?u)\b\w+\b",
        lowercase=False,
        vocabulary=vocabulary,
    )


def char_vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        sublinear_tf=True,
        lowercase=False,
        min_df=2,
        vocabulary=vocabulary,
    )


@dataclass
class SentenceModel:
    words: TfidfVectorizer
    chars: TfidfVectorizer
    classifier: LogisticRegression

    @property
    def labels(self) -> list[str]:
        return list(self.classifier.classes_)

    @classmethod
    def fit(cls, texts: list[str], labels: list[str], c: float, seed: int) -> SentenceModel:
        words, chars = word_vectorizer(), char_vectorizer()
        features = scipy.sparse.hstack([words.fit_transform(texts), chars.fit_transform(texts)])
        classifier = LogisticRegression(
            C=c, class_weight="balanced", max_iter=5000, random_state=seed
        )
        classifier.fit(features.tocsr(), labels)
        return cls(words, chars, classifier)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """One row per text, one column per label (in `labels` order)."""
        features = scipy.sparse.hstack([self.words.transform(texts), self.chars.transform(texts)])
        return self.classifier.predict_proba(features.tocsr())

    def save(self, directory: Path) -> None:
        description = {
            "labels": self.labels,
            "words": {k: int(v) for k, v in self.words.vocabulary_.items()},
            "chars": {k: int(v) for k, v in self.chars.vocabulary_.items()},
        }
        (directory / MODEL_FILE).write_text(json.dumps(description), encoding="utf-8")
        np.savez(
            directory / WEIGHTS_FILE,
            word_idf=self.words.idf_,
            char_idf=self.chars.idf_,
            coef=self.classifier.coef_,
            intercept=self.classifier.intercept_,
        )

    @classmethod
    def load(cls, directory: Path) -> SentenceModel:
        description = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
        weights = np.load(directory / WEIGHTS_FILE)
        words = word_vectorizer(description["words"])
        words.idf_ = weights["word_idf"]
        chars = char_vectorizer(description["chars"])
        chars.idf_ = weights["char_idf"]
        classifier = LogisticRegression(class_weight="balanced", max_iter=5000)
        classifier.classes_ = np.array(description["labels"])
        classifier.coef_ = weights["coef"]
        classifier.intercept_ = weights["intercept"]
        return cls(words, chars, classifier)
