"""Which questions the assistant offers as buttons when it declines or is unsure (`scope.yml`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Extra, root_validator

from content.schema import CONTENT_DIR


class Suggestion(BaseModel):
    about_test: str | None = None
    about_term: str | None = None
    plain: str | None = None

    class Config:
        extra = Extra.forbid
        allow_mutation = False

    @root_validator(skip_on_failure=True)
    def has_a_title(cls, values: dict) -> dict:
        if not any(values.values()):
            raise ValueError("a suggestion needs at least one title")
        return values


class Scope(BaseModel):
    suggestions: dict[str, Suggestion]
    after_decline: list[str]
    max_buttons: int

    class Config:
        extra = Extra.forbid
        allow_mutation = False

    @root_validator(skip_on_failure=True)
    def offered_intents_have_titles(cls, values: dict) -> dict:
        unknown = [i for i in values["after_decline"] if i not in values["suggestions"]]
        if unknown:
            raise ValueError(f"after_decline names intents without suggestions: {unknown}")
        return values


@lru_cache(maxsize=2)
def load_scope(path: Path = CONTENT_DIR / "scope.yml") -> Scope:
    with path.open(encoding="utf-8") as handle:
        return Scope(**yaml.safe_load(handle))
