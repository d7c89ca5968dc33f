"""Small builders for rasa-sdk trackers, as the action server receives them."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


def tracker_for(
    text: str,
    intent: str,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    channel: str = "rest",
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": entities or [],
    }
    events = [{"event": "user", "text": text, "parse_data": latest, "input_channel": channel}]
    return Tracker(
        sender_id="test-sender",
        slots=slots or {},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def entity(kind: str, value: str) -> dict[str, Any]:
    return {"entity": kind, "value": value, "extractor": "GlossaryEntityExtractor"}


def run(action: Action, tracker: Tracker, domain: dict | None = None) -> tuple[list, list]:
    """Run an action as the action server does: the messages it sends and the events it returns."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return dispatcher.messages, events


def texts(messages: list[dict]) -> str:
    return " ".join(m["text"] for m in messages if m.get("text"))


def customs(messages: list[dict], key: str) -> list:
    return [m["custom"][key] for m in messages if key in (m.get("custom") or {})]
