"""A small text classifier: logistic regression on tf-idf of words and character fragments.

The question reader uses one to tell what a sentence asks (pipeline/sentence_model.py), and the
red-flag detector one as a second opinion on warning signs (content/red_flag_model.py).
Character fragments carry misspellings ("wat dose it sho"). A model is saved as plain numbers
(vocabularies, idf, coefficients) rather than a pickle, so loading one runs no code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression


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
class TextModel:
    words: TfidfVectorizer
    chars: TfidfVectorizer
    classifier: LogisticRegression

    def __post_init__(self) -> None:
        self._scorer: _Scorer | None = None

    @property
    def labels(self) -> list[str]:
        return list(self.classifier.classes_)

    @classmethod
    def fit(cls, texts: list[str], labels: list[str], c: float, seed: int) -> TextModel:
        words, chars = word_vectorizer(), char_vectorizer()
        features = scipy.sparse.hstack([words.fit_transform(texts), chars.fit_transform(texts)])
        classifier = LogisticRegression(
            C=c, class_weight="balanced", max_iter=5000, random_state=seed
        )
        classifier.fit(features.tocsr(), labels)
        return cls(words, chars, classifier)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """One row per text, one column per label (in `labels` order): the same numbers as
        scikit-learn's `predict_proba` on the tf-idf features, computed directly."""
        if self._scorer is None:
            self._scorer = _Scorer(self)
        return np.vstack([self._scorer.probabilities(text) for text in texts])

    def sklearn_probabilities(self, texts: list[str]) -> np.ndarray:
        """scikit-learn's own computation, which `probabilities` is checked against."""
        features = scipy.sparse.hstack([self.words.transform(texts), self.chars.transform(texts)])
        return self.classifier.predict_proba(features.tocsr())

    def save(self, directory: Path, name: str) -> None:
        description = {
            "labels": self.labels,
            "words": {k: int(v) for k, v in self.words.vocabulary_.items()},
            "chars": {k: int(v) for k, v in self.chars.vocabulary_.items()},
        }
        (directory / f"{name}.json").write_text(json.dumps(description), encoding="utf-8")
        np.savez(
            directory / f"{name}.npz",
            word_idf=self.words.idf_,
            char_idf=self.chars.idf_,
            coef=self.classifier.coef_,
            intercept=self.classifier.intercept_,
        )

    @classmethod
    def load(cls, directory: Path, name: str) -> TextModel:
        description = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        weights = np.load(directory / f"{name}.npz")
        words = word_vectorizer(description["words"])
        words.idf_ = weights["word_idf"]
        chars = char_vectorizer(description["chars"])
        chars.idf_ = weights["char_idf"]
        classifier = LogisticRegression(class_weight="balanced", max_iter=5000)
        classifier.classes_ = np.array(description["labels"])
        classifier.coef_ = weights["coef"]
        classifier.intercept_ = weights["intercept"]
        return cls(words, chars, classifier)


class _Scorer:
    """Per message, scikit-learn's transform, hstack and predict_proba cost about 2 ms, most of
    it checking inputs and building sparse matrices for one row; a Rasa turn runs the question
    reader's model once per sentence and the warning-sign model once. The same arithmetic on
    the few features a message has takes a tenth of that: each vectorizer's n-grams counted,
    tf = 1 + log(count) (`sublinear_tf`) times idf, scaled to unit length; then the linear
    scores, and softmax (scikit-learn's multinomial logistic regression) or, with two labels,
    the logistic function."""

    def __init__(self, model: TextModel) -> None:
        self.parts = []
        offset = 0
        for vectorizer in (model.words, model.chars):
            self.parts.append(
                (vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, offset)
            )
            offset += len(vectorizer.vocabulary_)
        self.weights = np.ascontiguousarray(model.classifier.coef_.T)
        self.intercept = model.classifier.intercept_

    def probabilities(self, text: str) -> np.ndarray:
        scores = self.intercept.astype(float)
        for analyzer, vocabulary, idf, offset in self.parts:
            counts: dict[int, int] = {}
            for gram in analyzer(text):
                index = vocabulary.get(gram)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            indices = np.fromiter(counts, dtype=np.int64, count=len(counts))
            values = (1.0 + np.log(np.fromiter(counts.values(), float, len(counts)))) * idf[indices]
            values /= np.sqrt(values @ values)
            scores = scores + values @ self.weights[indices + offset]
        if len(scores) == 1:
            positive = 1.0 / (1.0 + np.exp(-scores[0]))
            return np.array([1.0 - positive, positive])
        exp = np.exp(scores - scores.max())
        return exp / exp.sum()
