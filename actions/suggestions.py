"""Buttons that lead back to what the assistant can answer (`content/scope.yml`)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from content.schema import Content
from content.scope import Scope


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
