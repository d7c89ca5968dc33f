"""Adaptive Cards for Teams: a patient handout (custom payload `handout`, see
actions/handout.py) as a card a nurse can read, copy or forward.

Version 1.4 of the card schema, which Teams shows on desktop, web and mobile; TextBlocks wrap,
and Teams reads their text as its Markdown subset (bold, lists).
"""

from __future__ import annotations

from typing import Any

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def text_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def handout_card(page: dict[str, Any]) -> dict[str, Any]:
    """The attachment: title, parts, words with their pronunciation, source and review date."""
    body = [text_block(page["title"], size="Large", weight="Bolder")]
    for part in page["parts"]:
        if part["heading"]:
            body.append(text_block(part["heading"], weight="Bolder", spacing="Medium"))
        body.append(text_block(part["text"]))
    if page["words"]:
        body.append(text_block(page["words_heading"], weight="Bolder", spacing="Medium"))
        body += [
            text_block(f"**{w['term']}** ({w['respelling']}): {w['meaning']}")
            for w in page["words"]
        ]
    body.append(text_block(page["source"], isSubtle=True, size="Small", spacing="Large"))
    return {
        "contentType": ADAPTIVE_CARD,
        "content": {
            "$schema": CARD_SCHEMA,
            "type": "AdaptiveCard",
            "version": CARD_VERSION,
            "body": body,
        },
    }
