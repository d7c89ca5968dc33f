"""A learnt second opinion on warning signs, beside the rules in red_flags.yml.

The rules are a model of symptoms written by hand, and each new writer's wording finds gaps in
them: a batch of 160 messages written after the rules had reached 100 % on their own
development set was caught at 75 %. A classifier trained on the earlier messages reads wording
the rules have no pattern for: on that batch, with the rules of the time, it raised recall to
83 % and added no false alarm. Cross-validated on the whole development set (5 folds) it added
at most one false alarm in 276 look-alikes and none in 910 ordinary questions (threshold 0.8).

It can only add an alarm, never take one away, and it is asked only when the rules found a
symptom word they could not make a sign of and set nothing aside: a message the rules read as
long-standing, past, resolved, negated or as one mild symptom stays theirs (the model alone
would alarm on "I feel a bit sick"). Its classes are the sign categories and `none`; an alarm
goes to the most likely category.

Trained by `python -m content.build_red_flag_model` (make does it) from the warning-sign
development set and the realistic questions' development set (ordinary questions, which teach
it what is not a sign); the sealed test splits are never read. The result is plain numbers in
`build/red_flag_model/`, so the detector stays a function of the text and of files.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import yaml

from content.text_model import TextModel

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Built by make, like the spaCy pipeline; not committed.
MODEL_DIR = PROJECT_DIR / "build" / "red_flag_model"
MODEL_NAME = "red_flag_model"
NONE = "none"
# The chance of a sign at or above which it alarms (chosen by 5-fold cross-validation).
THRESHOLD = 0.8
# Thoughts of self-harm are often told with no symptom word at all ("I've made other
# arrangements"), so for them alone the model is asked about every message the rules found
# nothing in; a higher bar keeps fear and grief from alarming (cross-validated on the dev sets:
# 12 of the 16 the rules missed, 2 of 1,439 other messages, both look-alikes).
SELF_HARM = "self_harm"
SELF_HARM_ALONE_THRESHOLD = 0.85
# Regularisation and seed, so training twice gives the same numbers.
C = 16.0
SEED = 1

EVAL_DIR = PROJECT_DIR / "eval"
WARNING_SIGNS_DEV = EVAL_DIR / "warning_signs" / "dev.yml"
REALISTIC_DEV = EVAL_DIR / "realistic" / "dev"


class SecondOpinion:
    def __init__(self, model: TextModel) -> None:
        self.model = model
        self._none = model.labels.index(NONE)

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> SecondOpinion | None:
        """None when no model was trained (the rules then work alone)."""
        if not (directory / f"{MODEL_NAME}.json").exists():
            return None
        return cls(TextModel.load(directory, MODEL_NAME))

    def category(self, normalized_text: str) -> str | None:
        """The most likely sign category when a sign is likely enough; else None."""
        row = self.model.probabilities([normalized_text])[0]
        if 1.0 - row[self._none] < THRESHOLD:
            return None
        signs = row.copy()
        signs[self._none] = -1.0
        return self.model.labels[int(signs.argmax())]

    def self_harm(self, normalized_text: str) -> bool:
        """Whether thoughts of self-harm are likely enough on their own, with no symptom word."""
        row = self.model.probabilities([normalized_text])[0]
        return bool(row[self.model.labels.index(SELF_HARM)] >= SELF_HARM_ALONE_THRESHOLD)


def training_set(categories: Collection[str]) -> tuple[list[str], list[str]]:
    """Warning-sign development messages labelled by category or `none`, and every question of
    the realistic development set that is not a warning sign, labelled `none`. A sign that is
    not one of `categories` stops the build: the detector could not name it in its reply."""
    texts, labels = [], []
    for message in yaml.safe_load(WARNING_SIGNS_DEV.read_text(encoding="utf-8"))["messages"]:
        if message["red_flag"] and message["sign"] not in categories:
            raise ValueError(f"unknown sign {message['sign']!r} (one of {sorted(categories)})")
        texts.append(message["q"])
        labels.append(message["sign"] if message["red_flag"] else NONE)
    for path in sorted(REALISTIC_DEV.glob("*.yml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            for turn in case.get("turns", [case]):
                if turn.get("behaviour") != "red_flag":
                    texts.append(turn["q"])
                    labels.append(NONE)
    return texts, labels


def train(normalize, categories: Collection[str]) -> TextModel:
    """`normalize` is the detector's own (spellings corrected, contractions spelt out)."""
    texts, labels = training_set(categories)
    return TextModel.fit([normalize(t) for t in texts], labels, c=C, seed=SEED)
