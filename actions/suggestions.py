"""Buttons that lead back to what the assistant can answer (`content/scope.yml`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Extra, root_validator

from actions.content import CONTENT_DIR, Content


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


def button_for(
    intent: str, subject: tuple[str | None, str | None], scope: Scope, content: Content
) -> dict[str, str] | None:
    """A button asking `intent` about the subject (a test or a word) if it can, else plainly."""
    suggestion = scope.suggestions.get(intent)
    if suggestion is None:
        return None
    kind, subject_id = subject
    if kind == "test" and suggestion.about_test and subject_id in content.tests:
        name = content.tests[subject_id].name
        title, entities = suggestion.about_test.format(name=name), {"test": subject_id}
    elif kind == "term" and suggestion.about_term and subject_id in content.terms:
        name = content.terms[subject_id].term
        title, entities = suggestion.about_term.format(name=name), {"term": subject_id}
    elif suggestion.plain:
        title, entities = suggestion.plain, {}
    else:
        return None
    payload = f"/{intent}{json.dumps(entities)}" if entities else f"/{intent}"
    return {"title": title, "payload": payload}


def buttons_for(
    intents: Iterable[str],
    subject: tuple[str | None, str | None],
    scope: Scope,
    content: Content,
) -> list[dict[str, str]]:
    """Up to `max_buttons` buttons for the first intents that have one, then the defaults."""
    buttons: list[dict[str, str]] = []
    for intent in [*intents, *scope.after_decline]:
        button = button_for(intent, subject, scope, content)
        if button and button["payload"] not in {b["payload"] for b in buttons}:
            buttons.append(button)
        if len(buttons) == scope.max_buttons:
            break
    return buttons
