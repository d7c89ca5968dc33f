"""What one sentence asks: logistic regression on tf-idf of words and character fragments.

The model sees a sentence with each test or word from the glossary replaced by its kind
("what does TEST show", "what does TERM mean"), so it learns how a question is asked apart from
what it is about, and an aspect learnt for one test carries to every other. The classifier
itself is content/text_model.py; here are the spelling-out of contractions and the file name.
"""

from __future__ import annotations

import re
from pathlib import Path

from content.text_model import TextModel

MODEL_NAME = "sentence_model"

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


class SentenceModel(TextModel):
    """Saved beside the rest of the trained Rasa model, under one name."""

    def save(self, directory: Path, name: str = MODEL_NAME) -> None:
        super().save(directory, name)

    @classmethod
    def load(cls, directory: Path, name: str = MODEL_NAME) -> SentenceModel:
        return super().load(directory, name)
