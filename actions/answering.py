"""How every answer leaves the action server: one place for wording rules.

Patients get plain text with respellings on first mention and a source note; nurses (Slack and
Teams) get the clinical wording. Every answer remembers what it was about, so follow-ups like
"what does it show?" know the subject, and which aspect it answered, so "and the MRI?" asks the
same of another test. When the question also asked about the person's own case, one sentence
sends that part to the care team; a conversation that opened with a question (not a greeting)
gets a one-line note of what the assistant is after its first answer.
"""

from __future__ import annotations

import dataclasses
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.respelling import add_respellings, pronunciation_payload
from content.reading import Elsewhere, load_reading
from content.schema import Content, Term, load_content

CLINICIAN_CHANNELS = {"slack", "botframework"}
SLOT_PRONOUNCED = "pronounced_terms"
SLOT_TEST = "current_test"
SLOT_TERM = "current_term"
SLOT_ASPECT = "last_aspect"
# What the NLU pipeline read in the message (pipeline/question_reader.py).
READING_KEY = "reading"
# Set by the red-flag component when a message mentions pain or a symptom but is no alarm.
SAFETY_NET_KEY = "red_flag_safety_net"


# Page answers by the intent that asks for them (filled by PageAnswer's subclasses).
PAGE_ANSWERS: dict[str, type[PageAnswer]] = {}


class PageAnswer(Action, ABC):
    """An answer to a question the page covers. A bare follow-up ("and blastic?" after "how do
    you say lytic?", "and the other one?") asks again what was asked last, so it gets that
    answer about its new subject, whatever the classifier made of two words."""

    # The intents this answer is for.
    intents: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for intent in cls.intents:
            PAGE_ANSWERS[intent] = cls

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        also = reading(tracker).get("also") or {}
        if also.get("intent") not in PAGE_ANSWERS:
            return await self._answer_asked(dispatcher, tracker, domain)
        # A long message that asks two things the page covers: both answers, then the notes
        # (care team, what the assistant is) once, after them.
        events = await self._answer_asked(dispatcher, _notes_later(tracker), domain)
        second = _as_second_question(tracker, also)
        # Words the first answer respelled are not respelled again in the second.
        for event in events:
            if event.get("event") == "slot" and event.get("name") == SLOT_PRONOUNCED:
                second.slots[SLOT_PRONOUNCED] = event["value"]
        events += await PAGE_ANSWERS[also["intent"]]().answer(dispatcher, second, domain)
        send_notes(dispatcher, tracker)
        return events

    async def _answer_asked(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asked_last = tracker.get_slot(SLOT_ASPECT)
        if (
            reading(tracker).get("follow_up")
            and asked_last in PAGE_ANSWERS
            and asked_last != latest_intent(tracker)
        ):
            again = with_message(tracker, intent={"name": asked_last, "confidence": 1.0})
            return await PAGE_ANSWERS[asked_last]().answer(dispatcher, again, domain)
        return await self.answer(dispatcher, tracker, domain)

    @abstractmethod
    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]: ...


# Set on a copy of the latest message while its answers are sent: the notes wait for the last.
NOTES_LATER = "notes_later"


def with_message(tracker: Tracker, **changes: Any) -> Tracker:
    """A copy of the tracker whose latest message has these keys changed."""
    again = tracker.copy()
    again.latest_message = {**tracker.latest_message, **changes}
    return again


def _notes_later(tracker: Tracker) -> Tracker:
    return with_message(tracker, **{NOTES_LATER: True})


def _as_second_question(tracker: Tracker, also: dict[str, Any]) -> Tracker:
    """The latest message as if it were only its second question: its intent, its subject,
    and the words named in that sentence."""
    return with_message(
        tracker,
        **{
            NOTES_LATER: True,
            "intent": {"name": also["intent"], "confidence": 1.0},
            "entities": [
                e
                for e in tracker.latest_message.get("entities") or []
                if also["start"] <= e.get("start", -1) < also["end"]
            ],
            READING_KEY: {
                **reading(tracker),
                "question": also["question"],
                "subject": also["subject"],
                "care_team": False,
                "follow_up": False,
                "also": None,
            },
        },
    )


@dataclass
class Answer:
    text: str
    section: str
    subject: tuple[str, str] | None = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    pronounce: list[Term] = field(default_factory=list)
    respell: bool = True


def with_lent_sentence(answer: Answer, named: list[str], tracker: Tracker) -> Answer:
    """The answer and the page's sentence on another test, when the question asks the named
    tests for what the page says that other test does: "can a CT tell a tumour from an
    infection?" (an MRI usually can)."""
    text = tracker.latest_message.get("text") or ""
    for item in load_reading().elsewhere(text):
        if item.test not in named:
            lent = sentences_lent()[(item.test, item.holds)]
            return dataclasses.replace(answer, text=f"{answer.text} {lent}")
    return answer


@lru_cache(maxsize=1)
def sentences_lent() -> dict[tuple[str, str], str]:
    """reading.yml's `elsewhere` rules, each found once in the page's content."""
    return lent_sentences(load_reading().rules.elsewhere, load_content())


def lent_sentences(rules: list[Elsewhere], content: Content) -> dict[tuple[str, str], str]:
    """For each rule (test, word), the one sentence of the test's `shows` that holds the word.
    A word in no sentence, or in several, is a content error."""
    found = {}
    for item in rules:
        sentences = re.split(r"(?<=\.) ", content.tests[item.test].patient.shows)
        holding = [s for s in sentences if item.holds in s]
        if len(holding) != 1:
            raise ValueError(f"{item.holds!r} is in {len(holding)} sentences of {item.test}")
        found[(item.test, item.holds)] = holding[0]
    return found


def is_clinician(tracker: Tracker) -> bool:
    return tracker.get_latest_input_channel() in CLINICIAN_CHANNELS


def latest_intent(tracker: Tracker) -> str | None:
    """The intent of the latest message as Rasa settled it (after any NLU overrides)."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def reading(tracker: Tracker) -> dict:
    return tracker.latest_message.get(READING_KEY) or {}


# The whole guide's topic: named beside a test talked about ("so a high one means bone mets?"),
# the question is still about that test, unless it asks what the word means or how to say it.
TOPIC_TERM = "metastasis"
ABOUT_THE_WORD = ("ask_what_is", "ask_pronunciation")


def subject_from(tracker: Tracker) -> tuple[str | None, str | None]:
    """The test or term the question is about (as the reader chose it among those named),
    else the first one the latest message names, else the one last talked about."""
    subject = _named_subject(tracker)
    if subject[0] is None:
        subject = referred_subject(tracker) or subject
    current = tracker.get_slot(SLOT_TEST)
    topic_beside_a_test = (
        subject == ("term", TOPIC_TERM)
        and current is not None
        and latest_intent(tracker) not in ABOUT_THE_WORD
    )
    if subject[0] is not None and not topic_beside_a_test:
        return subject
    if current:
        return "test", current
    if tracker.get_slot(SLOT_TERM):
        return "term", tracker.get_slot(SLOT_TERM)
    return None, None


def _named_subject(tracker: Tracker) -> tuple[str | None, str | None]:
    chosen = reading(tracker).get("subject") or {}
    if chosen.get("kind") in ("test", "term"):
        return named_test(chosen["kind"], chosen["id"], tracker)
    if chosen.get("kind") != "it":
        for kind in ("test", "term"):
            value = next(tracker.get_latest_entity_values(kind), None)
            if value:
                return kind, value
    return None, None


# How far back "the first one" may point: the questions before this one.
REFERRED_WITHIN_QUESTIONS = 3


def referred_subject(tracker: Tracker) -> tuple[str, str] | None:
    """What "the first one", "the latter" or "the other one" means: one of the two things the
    latest earlier question that named two of them named, in the order it named them. "The
    other one" is the one not talked about last."""
    place = reading(tracker).get("refers_to")
    if not place:
        return None
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        users += 1  # the first one met is the latest message itself
        if users == 1:
            continue
        if users > REFERRED_WITHIN_QUESTIONS + 1:
            break
        named = sorted(
            (
                e
                for e in (event.get("parse_data") or {}).get("entities") or []
                if e.get("entity") in ("test", "term")
            ),
            key=lambda e: e.get("start", 0),
        )
        subjects = list(dict.fromkeys((e["entity"], e["value"]) for e in named))
        if len(subjects) < 2:
            continue
        if place == "first":
            return subjects[0]
        if place == "second":
            return subjects[1]
        last = {tracker.get_slot(SLOT_TEST), tracker.get_slot(SLOT_TERM)}
        return next((s for s in subjects if s[1] not in last), subjects[1])
    return None


def source_note(content: Content, section_id: str) -> dict[str, str]:
    return {
        "publisher": content.source.publisher,
        "title": content.source.title,
        "section": content.source.sections[section_id].title,
        "last_medical_review": content.source.last_medical_review.isoformat(),
    }


def named_test(kind: str, subject_id: str, tracker: Tracker) -> tuple[str, str]:
    """A word that is a test's full name ("positron emission tomography") stands for the test,
    except when asked how to say it."""
    if kind != "term" or latest_intent(tracker) == "ask_pronunciation":
        return kind, subject_id
    content = load_content()
    term = content.terms.get(subject_id)
    for test in content.tests.values():
        if term and term.term.lower() in (alias.lower() for alias in test.aliases):
            return "test", test.id
    return kind, subject_id


def is_first_turn(tracker: Tracker) -> bool:
    """Whether the latest message is the first of this conversation's session."""
    user_turns = 0
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        user_turns += event.get("event") == "user"
    return user_turns <= 1


def send_notes(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """After an answer: the care-team sentence if the person also asked about their own case,
    and, on a conversation's first answer, what the assistant is (the welcome was not given)."""
    if is_clinician(tracker) or tracker.latest_message.get(NOTES_LATER):
        return
    if tracker.latest_message.get(SAFETY_NET_KEY):
        # It mentioned pain or a symptom the detector set aside (long-standing, looked at):
        # what would make it urgent, and whom to call.
        dispatcher.utter_message(response="utter_safety_net")
    if reading(tracker).get("care_team"):
        dispatcher.utter_message(response="utter_care_team_note")
    send_first_answer_note(dispatcher, tracker)


def send_first_answer_note(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The first answer of a conversation that did not open with a hello says what the
    assistant is, in one line, after the answer."""
    if tracker.latest_message.get(NOTES_LATER):
        return
    if is_first_turn(tracker) and not is_clinician(tracker):
        dispatcher.utter_message(response="utter_first_answer_note")


def send_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer
) -> list[EventType]:
    content = load_content()
    section = content.source.sections[answer.section]
    events: list[EventType] = []
    text = answer.text
    pronounce = list(answer.pronounce)
    if is_clinician(tracker):
        text = (
            f"{text}\n_Source: {content.source_citation()}; section \u201c{section.title}\u201d._"
        )
    else:
        said = set(tracker.get_slot(SLOT_PRONOUNCED) or [])
        if answer.respell:
            text, added = add_respellings(text, said, content)
            pronounce += added
        newly_said = [t.id for t in pronounce if t.id not in said]
        if newly_said:
            events.append(SlotSet(SLOT_PRONOUNCED, sorted(said | set(newly_said))))
    dispatcher.utter_message(text=text, buttons=answer.buttons or None)
    if not is_clinician(tracker):
        # Custom payloads feed the widget (speaker button, source note); chat apps would
        # show them as raw JSON, so nurses get the source in the text instead.
        for term in pronounce:
            dispatcher.utter_message(json_message={"pronunciation": pronunciation_payload(term)})
        dispatcher.utter_message(json_message={"source": source_note(content, answer.section)})
    send_notes(dispatcher, tracker)
    if answer.subject:
        kind, subject_id = answer.subject
        # One subject at a time: "is it...?" next means this one, not an older one.
        events.append(SlotSet(SLOT_TEST, subject_id if kind == "test" else None))
        events.append(SlotSet(SLOT_TERM, subject_id if kind == "term" else None))
    asked = latest_intent(tracker)
    if asked and asked.startswith("ask_"):
        events.append(SlotSet(SLOT_ASPECT, asked))
    return events
