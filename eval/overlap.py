"""Keeps the held-out set held out: no question may also be a training example in `data/`.

Questions are compared normalised (lower case, punctuation stripped, spaces collapsed), so
"What's a bone scan?" and "whats a bone scan" count as the same question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Rasa's entity annotations: [text](entity), [text]{"entity": ...} and [text][{...}, ...].
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def normalise(text: str) -> str:
    plain = _ANNOTATION.sub(r"\1", text)
    return " ".join(_PUNCTUATION.sub("", plain.lower()).split())


def _examples_block(block: str) -> Iterator[str]:
    for line in block.splitlines():
        stripped = line.strip()
        if stripped.startswith("- "):
            yield stripped[2:]


def _user_steps(steps: Iterable[dict]) -> Iterator[str]:
    """End-to-end stories and rules may carry user text in `user:` steps."""
    for step in steps:
        if isinstance(step, dict) and isinstance(step.get("user"), str):
            yield step["user"]
        for branch in step.get("or", []) if isinstance(step, dict) else []:
            yield from _user_steps([branch])


def training_examples(data_dir: Path = DATA_DIR) -> set[str]:
    """Every user message the model trains on, normalised."""
    examples: set[str] = set()
    for path in sorted(data_dir.rglob("*.yml")):
        with path.open(encoding="utf-8") as handle:
            document = yaml.safe_load(handle) or {}
        for item in document.get("nlu", []):
            if "intent" in item:
                examples.update(normalise(e) for e in _examples_block(item.get("examples", "")))
        for kind in ("stories", "rules"):
            for flow in document.get(kind, []):
                examples.update(normalise(u) for u in _user_steps(flow.get("steps", [])))
    return examples


def overlapping(questions: Iterable[str], examples: set[str]) -> list[str]:
    """The questions that are also training examples, as written in the held-out files."""
    return [q for q in questions if normalise(q) in examples]
