"""Loads `reading.yml`: what people ask that the page does not answer, and signs of a personal
question, as compiled patterns."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Extra, validator

from content.schema import CONTENT_DIR


class Cued(BaseModel):
    """Something the reader recognises by `cues`: regular expressions on the lower-cased text."""

    cues: list[str]

    class Config:
        extra = Extra.forbid
        allow_mutation = False

    @validator("cues", each_item=True)
    def cue_compiles(cls, value: str) -> str:
        re.compile(value)
        return value


class NotOnPage(Cued):
    says: str


class Elsewhere(Cued):
    test: str
    holds: str


class ReadingRules(BaseModel):
    not_on_page: dict[str, NotOnPage]
    elsewhere: list[Elsewhere]
    personal: list[str]

    class Config:
        extra = Extra.forbid
        allow_mutation = False

    @validator("personal", each_item=True)
    def cue_compiles(cls, value: str) -> str:
        re.compile(value)
        return value


class Reading:
    """The rules compiled once."""

    def __init__(self, rules: ReadingRules) -> None:
        self.rules = rules
        self._not_on_page = {
            topic: _whole_words(item.cues) for topic, item in rules.not_on_page.items()
        }
        self._personal = [re.compile(cue) for cue in rules.personal]
        self._elsewhere = [(item, _whole_words(item.cues)) for item in rules.elsewhere]

    def not_on_page(self, text: str) -> list[str]:
        """The topics of `not_on_page` the text asks about, in the file's order."""
        lowered = text.lower()
        return [t for t, cues in self._not_on_page.items() if any(c.search(lowered) for c in cues)]

    def elsewhere(self, text: str) -> list[Elsewhere]:
        """What the text asks for that the page says a particular test does."""
        lowered = text.lower()
        return [item for item, cues in self._elsewhere if any(c.search(lowered) for c in cues)]

    def is_personal(self, text: str) -> bool:
        lowered = text.lower()
        return any(cue.search(lowered) for cue in self._personal)

    def says(self, topic: str) -> str:
        return self.rules.not_on_page[topic].says


def _whole_words(cues: list[str]) -> list[re.Pattern]:
    return [re.compile(rf"(?<!\w){cue}") for cue in cues]


@lru_cache(maxsize=2)
def load_reading(path: Path = CONTENT_DIR / "reading.yml") -> Reading:
    with path.open(encoding="utf-8") as handle:
        return Reading(ReadingRules(**yaml.safe_load(handle)))
