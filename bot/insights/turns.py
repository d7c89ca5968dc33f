"""What happened in each turn of a conversation, read from the events Rasa saves.

A turn is one message from a person and everything the assistant did until it listened again.
Its counts say on which day and channel it was, what the assistant settled on (intent,
subject), how it ended (answered, declined and why, not sure, "the page doesn't say", warning
sign, nurse call-back, forget me) and how long the assistant took. They hold no text and no
sender id. A question the assistant could not answer also gives a `Question` for the review
queue: its text (redacted before it is stored) and the assistant's guess.

Events are Rasa's own dictionaries (`Event.as_dict()`); how each outcome shows in them:
the settled intent and the question reader's `reading` in the user event's `parse_data`, the
response each bot message came from in its `metadata.utter_action` (an answer written from the
content has none), the custom payloads in `data.custom`, the subject answered in the
`current_test`/`current_term` slots.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from content.red_flags import RED_FLAG_INTENT

# Rasa's input channel names, as a clinic knows them.
CHANNELS = {"rest": "web", "slack": "slack", "botframework": "teams"}
NOT_ON_PAGE_INTENT = "ask_not_on_page"
DECLINE_INTENT = "out_of_scope"
FALLBACK_ACTION = "action_suggest_topics"
NOT_SURE_RESPONSE = "utter_not_sure"
NOT_ON_PAGE_RESPONSES = frozenset({"utter_not_on_page", "utter_not_on_page_about"})
DECLINE_RESPONSE_PREFIX = "utter_out_of_scope/"
RED_FLAG_RESPONSE_PREFIX = "utter_red_flag"
NURSE_ALERT_RESPONSES = frozenset({"utter_nurse_alert_sent", "utter_nurse_alert_queued"})
SOURCE_RESPONSE = "utter_source"
FORGET_PAYLOAD = "forget_conversation"
SUBJECT_SLOTS = {"current_test": "test", "current_term": "term"}
# At or below this the reading was a guess: the question reader gives a page answer at least
# 0.5 (pipeline/question_reader.py), so 0.5 means its aspect scored lower.
LOW_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Question:
    """A question for the review queue, with the assistant's guess; text not yet redacted."""

    text: str
    reason: str  # fallback, not_on_page, declined_with_subject, low_confidence
    intent: str | None
    confidence: float | None


@dataclass(frozen=True)
class Turn:
    day: date
    channel: str
    intent: str | None
    subject_kind: str | None
    subject_id: str | None
    answered: bool
    declined: str | None  # the kind of decline (treatment, costs...), None if not declined
    fallback: bool
    not_on_page: bool
    red_flag: bool
    nurse: bool
    forgot: bool
    new_conversation: bool
    latency_ms: int | None
    # Set when the gateway answered itself because the assistant failed: "red_flag" (the
    # message had a warning sign) or "unavailable".
    gateway_reply: str | None = None
    question: Question | None = None

    def counts(self) -> dict[str, Any]:
        """The row stored for the clinic's counts: everything but the question."""
        return {
            name: getattr(self, name) for name in self.__dataclass_fields__ if name != "question"
        }


def gateway_turn(reply: str, today: date) -> Turn:
    """A web message the gateway answered itself (bot/gateway/own_replies.py): the assistant
    failed, so only the outcome is known."""
    return Turn(
        day=today,
        channel=CHANNELS["rest"],
        intent=None,
        subject_kind=None,
        subject_id=None,
        answered=False,
        declined=None,
        fallback=False,
        not_on_page=False,
        red_flag=reply == "red_flag",
        nurse=False,
        forgot=False,
        new_conversation=False,
        latency_ms=None,
        gateway_reply=reply,
    )


def read_turns(events: list[dict[str, Any]], form_active: bool = False) -> Iterator[Turn]:
    """The turns whose message is among `events` (the events one save added).

    `form_active`: a form (nurse call-back, forget me) was asking something before these
    events, so the first message answers it rather than asks a question of its own.
    """
    new_conversation = False
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind == "session_started":
            new_conversation = True
        elif kind == "active_loop":
            form_active = bool(event.get("name"))
        elif kind == "user":
            following = list(_until_next_message(events[index + 1 :]))
            yield _turn(event, following, new_conversation, form_active)
            new_conversation = False


def _until_next_message(events: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for event in events:
        if event.get("event") == "user":
            return
        yield event


def _turn(
    user: dict[str, Any], following: list[dict[str, Any]], new_conversation: bool, in_form: bool
) -> Turn:
    parse = user.get("parse_data") or {}
    intent_data = parse.get("intent") or {}
    intent = intent_data.get("name")
    confidence = intent_data.get("confidence")
    reading = parse.get("reading") or {}
    bots = [e for e in following if e.get("event") == "bot"]
    responses = {(b.get("metadata") or {}).get("utter_action") for b in bots} - {None}
    payloads = [(b.get("data") or {}).get("custom") or {} for b in bots]
    actions = {e.get("name") for e in following if e.get("event") == "action"}

    red_flag = intent == RED_FLAG_INTENT or any(
        r.startswith(RED_FLAG_RESPONSE_PREFIX) for r in responses
    )
    # Said "not sure": an `nlu_fallback` reading alone is not one when a form takes the message.
    fallback = NOT_SURE_RESPONSE in responses or FALLBACK_ACTION in actions
    not_on_page = intent == NOT_ON_PAGE_INTENT or bool(responses & NOT_ON_PAGE_RESPONSES)
    declined = _decline_kind(intent, reading, responses)
    # An answer written from the content is the only bot text without a response name.
    written_answer = any(
        b.get("text") and "utter_action" not in (b.get("metadata") or {}) for b in bots
    )
    answered = (written_answer or SOURCE_RESPONSE in responses) and not not_on_page
    subject_kind, subject_id = _subject(parse, reading, following)
    timestamps = [e["timestamp"] for e in [user, *following] if e.get("timestamp")]
    turn = Turn(
        day=_day(user.get("timestamp")),
        channel=CHANNELS.get(user.get("input_channel") or "", "other"),
        intent=intent,
        subject_kind=subject_kind,
        subject_id=subject_id,
        answered=answered,
        declined=declined,
        fallback=fallback,
        not_on_page=not_on_page,
        red_flag=red_flag,
        nurse=bool(responses & NURSE_ALERT_RESPONSES),
        forgot=any(p.get(FORGET_PAYLOAD) is True for p in payloads if isinstance(p, dict)),
        new_conversation=new_conversation,
        latency_ms=round((max(timestamps) - min(timestamps)) * 1000) if timestamps else None,
    )
    reason = _review_reason(turn, confidence, parse, in_form, user.get("text") or "")
    if reason is None:
        return turn
    question = Question(user["text"], reason, intent, confidence)
    return Turn(**{**turn.counts(), "question": question})


def _decline_kind(intent: str | None, reading: dict, responses: set[str]) -> str | None:
    for response in responses:
        if response.startswith(DECLINE_RESPONSE_PREFIX):
            return response.removeprefix(DECLINE_RESPONSE_PREFIX)
    if intent == DECLINE_INTENT:
        return reading.get("decline") or "other"
    return None


def _subject(
    parse: dict, reading: dict, following: list[dict[str, Any]]
) -> tuple[str | None, str | None]:
    """The subject answered (the slot the answer set), else the one the question named."""
    for event in following:
        if (
            event.get("event") == "slot"
            and event.get("name") in SUBJECT_SLOTS
            and event.get("value")
        ):
            return SUBJECT_SLOTS[event["name"]], str(event["value"])
    chosen = reading.get("subject") or {}
    if chosen.get("kind") in ("test", "term") and chosen.get("id"):
        return chosen["kind"], str(chosen["id"])
    for entity in parse.get("entities") or []:
        if entity.get("entity") in ("test", "term") and entity.get("value"):
            return entity["entity"], str(entity["value"])
    return None, None


def _review_reason(
    turn: Turn, confidence: float | None, parse: dict, in_form: bool, text: str
) -> str | None:
    """Why the question should be reviewed, or None. Never a warning sign (the text is about
    the person's body), an answer to a form's question (a phone number) or a button press."""
    if turn.red_flag or turn.forgot or in_form or text.startswith("/"):
        return None
    if turn.fallback:
        return "fallback"
    if turn.not_on_page:
        return "not_on_page"
    named = any(e.get("entity") in ("test", "term") for e in parse.get("entities") or [])
    if turn.declined and named:
        return "declined_with_subject"
    if confidence is not None and confidence <= LOW_CONFIDENCE:
        return "low_confidence"
    return None


def _day(timestamp: float | None) -> date:
    if timestamp is None:
        return datetime.now(timezone.utc).date()
    return datetime.fromtimestamp(timestamp, timezone.utc).date()
