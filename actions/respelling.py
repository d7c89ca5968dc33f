"""Respellings: added after a hard term's first mention, stripped for readability scoring."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from content.schema import Content, Term


def _form_pattern(forms: Iterable[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alternatives})(?![\w-])", re.IGNORECASE)


def add_respellings(text: str, already_said: set[str], content: Content) -> tuple[str, list[Term]]:
    """Put each hard term's respelling after its first mention in this conversation.

    Returns the new text and the terms whose respelling was added, in order of appearance.
    """
    mentions = []
    for term in content.terms.values():
        if term.id in already_said:
            continue
        match = _form_pattern(term.forms).search(text)
        if match:
            mentions.append((match, term))
    # A term inside a longer one ("tomography" in "positron emission tomography") is said
    # with it: one respelling, the longer term's, not two after the same word.
    mentions = [
        (match, term)
        for match, term in mentions
        if not any(
            other.start() <= match.start()
            and match.end() <= other.end()
            and other.end() - other.start() > match.end() - match.start()
            for other, _ in mentions
        )
    ]
    added = []
    for match, term in sorted(mentions, key=lambda m: m[0].end(), reverse=True):
        end = match.end()
        respelling = term.respelling_of(match.group(1))
        following = text[end:].lstrip()
        if following.startswith("("):
            continue  # already followed by its respelling
        # Inside parentheses already: "(blastic, BLAS-tik)" reads better than nested ones.
        addition = f", {respelling}" if following.startswith(")") else f" ({respelling})"
        text = f"{text[:end]}{addition}{text[end:]}"
        added.append((match.start(), term))
    return text, [term for _, term in sorted(added, key=lambda a: a[0])]


def strip_respellings(text: str, content: Content) -> str:
    """The answer as it reads without the respellings (for readability scoring)."""
    for term in content.terms.values():
        for respelling in {term.respelling, *term.respelled_forms.values()}:
            text = text.replace(f" ({respelling})", "").replace(f", {respelling})", ")")
    return text


def pronunciation_payload(term: Term) -> dict[str, Any]:
    return {"term": term.term, "respelling": term.respelling, "source": term.respelling_source}
