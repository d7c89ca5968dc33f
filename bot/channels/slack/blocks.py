"""Block Kit for the assistant's Slack messages: answers, buttons and patient handouts.

A handout comes from the action server as the custom payload `{"handout": {...}}` (see
actions/handout.py): a title, parts (heading and text), a word list, the source note. Slack's
mrkdwn has no headings, so the title is a `header` block, each part a `section`, the source
and review date a `context` block. Limits are Slack's (docs.slack.dev/reference/block-kit).
"""

from __future__ import annotations

from typing import Any

BUTTON_TITLE_MAX = 75
HEADER_TEXT_MAX = 150
SECTION_TEXT_MAX = 3000


def escape(text: str) -> str:
    """Slack's three control characters, so content is never read as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown_block(text: str) -> dict[str, Any]:
    return {"type": "markdown", "text": text}


def actions_block(buttons: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": f"button_{number}",
                "text": {"type": "plain_text", "text": button["title"][:BUTTON_TITLE_MAX]},
                "value": button["payload"],
            }
            for number, button in enumerate(buttons)
        ],
    }


def sections(lines: list[str]) -> list[dict[str, Any]]:
    """Lines as mrkdwn sections, as few as Slack's 3000 characters a section allow."""
    chunks: list[str] = []
    for line in lines:
        line = line[:SECTION_TEXT_MAX]
        if chunks and len(chunks[-1]) + 1 + len(line) <= SECTION_TEXT_MAX:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": c}} for c in chunks]


def handout_blocks(page: dict[str, Any]) -> list[dict[str, Any]]:
    title = page["title"][:HEADER_TEXT_MAX]
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": title}}]
    for part in page["parts"]:
        heading = [f"*{escape(part['heading'])}*"] if part["heading"] else []
        blocks += sections([*heading, escape(part["text"])])
    if page["words"]:
        words = [
            f"\u2022 *{escape(w['term'])}* ({escape(w['respelling'])}): {escape(w['meaning'])}"
            for w in page["words"]
        ]
        blocks += sections([f"*{escape(page['words_heading'])}*", *words])
    source = {"type": "mrkdwn", "text": f"_{escape(page['source'])}_"}
    blocks.append({"type": "context", "elements": [source]})
    return blocks
