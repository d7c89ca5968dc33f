"""The question sets `make eval` asks: YAML files of cases, read through one schema.

Three sets share the format (`eval/realistic/README.md` describes it): `realistic/dev` and
`realistic/test` (the patient-style questions, split once), and `short/` (the first, short and
clean questions; development data). A single question is stored as a case with one turn, so
everything downstream handles one shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Extra, root_validator, validator

EVAL_DIR = Path(__file__).resolve().parent
SETS = {
    "realistic-dev": EVAL_DIR / "realistic" / "dev",
    "realistic-test": EVAL_DIR / "realistic" / "test",
    "short": EVAL_DIR / "short",
}

Behaviour = Literal["answer", "not_on_page", "decline", "red_flag"]


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class Turn(Strict):
    q: str
    behaviour: Behaviour = "answer"
    # Every item must be in the reply: whole words, any case; "a|b" are alternatives and a
    # trailing "*" allows any ending ("dissolv*").
    expect: list[str] = []
    expect_not: list[str] = []

    @validator("q")
    def question_is_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question is blank")
        return value

    @root_validator(skip_on_failure=True)
    def an_answer_says_what_it_must_contain(cls, values: dict) -> dict:
        if values["behaviour"] == "answer" and not values["expect"]:
            raise ValueError("an `answer` turn needs `expect` words")
        return values


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


class CaseFile(Strict):
    category: str
    cases: list[Case]


def load_file(path: Path) -> CaseFile:
    with path.open(encoding="utf-8") as handle:
        return CaseFile.parse_obj(yaml.safe_load(handle))


def load_cases(directory: Path) -> dict[str, list[Case]]:
    """Cases by category; two files may add to the same category."""
    by_category: dict[str, list[Case]] = {}
    for path in sorted(directory.glob("*.yml")):
        loaded = load_file(path)
        by_category.setdefault(loaded.category, []).extend(loaded.cases)
    return by_category


def all_questions(cases: dict[str, list[Case]]) -> list[str]:
    return [turn.q for group in cases.values() for case in group for turn in case.turns]
