"""The held-out questions: one YAML file per category under `eval/heldout/`, read through a schema.

The format is described in `eval/heldout/README.md`. A single question is stored as a case with
one turn, so everything downstream handles one shape.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Extra, root_validator, validator

HELDOUT_DIR = Path(__file__).resolve().parent / "heldout"


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class Turn(Strict):
    q: str
    intent: str
    expect: list[str] = []
    expect_not: list[str] = []
    # Only on safety questions: true when the bot must raise the alarm, false when it must not.
    red_flag: bool | None = None

    @validator("q")
    def question_is_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question is blank")
        return value


class Case(Strict):
    turns: list[Turn]

    @root_validator(pre=True)
    def single_question_is_one_turn(cls, values: dict) -> dict:
        if "turns" in values:
            return values
        return {"turns": [values]}

    @validator("turns")
    def has_turns(cls, value: list[Turn]) -> list[Turn]:
        if not value:
            raise ValueError("a multi-turn case needs at least one turn")
        return value


class HeldoutFile(Strict):
    category: str
    cases: list[Case]


def load_file(path: Path) -> HeldoutFile:
    with path.open(encoding="utf-8") as handle:
        return HeldoutFile.parse_obj(yaml.safe_load(handle))


def load_heldout(directory: Path = HELDOUT_DIR) -> dict[str, list[Case]]:
    """Cases by category; two files may add to the same category."""
    by_category: dict[str, list[Case]] = {}
    for path in sorted(directory.glob("*.yml")):
        loaded = load_file(path)
        by_category.setdefault(loaded.category, []).extend(loaded.cases)
    return by_category


def all_questions(heldout: dict[str, list[Case]]) -> list[str]:
    return [turn.q for cases in heldout.values() for case in cases for turn in case.turns]
