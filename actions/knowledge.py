"""Answers about what each test is, what it shows, its limits, how it is done, and the page's
general topics; and the honest answer when the page does not say what was asked."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answering import (
    SLOT_TERM,
    Answer,
    PageAnswer,
    is_clinician,
    latest_intent,
    reading,
    send_answer,
    send_first_answer_note,
    send_notes,
    subject_from,
    with_lent_sentence,
)
from content.reading import load_reading
from content.schema import Content, TestInfo, load_content

ACTION_EXPLAIN = "action_explain"
ACTION_EXPLAIN_TOPIC = "action_explain_topic"
ACTION_CITE_SOURCE = "action_cite_source"
ACTION_NOT_ON_PAGE = "action_not_on_page"

# Which part of a test's facts each question asks for.
ASPECT_BY_INTENT = {
    "ask_what_is": "what",
    "ask_what_it_shows": "shows",
    "ask_limits": "limits",
    "ask_how_done": "how",
}
# The topics that are about one kind of test.
TOPIC_TEST_KIND = {"imaging_overview": "imaging", "lab_overview": "lab"}
# The `not_on_page` topic for "how is it done" about a test whose procedure the page does not
# describe.
HOW_NOT_ON_PAGE = "how_done"
# The general topics, by the intent that asks for them.
TOPIC_BY_INTENT = {
    "ask_found_before_symptoms": "found_before_symptoms",
    "ask_imaging_overview": "imaging_overview",
    "ask_lab_overview": "lab_overview",
    "ask_mixed_lesions": "lytic_and_blastic",
}


def follow_up_buttons(test: TestInfo, asked: str) -> list[dict[str, str]]:
    options = [
        ("what", "What is it?", "ask_what_is"),
        ("shows", "What does it show?", "ask_what_it_shows"),
        ("limits", "What can it miss?", "ask_limits"),
    ]
    return [
        {"title": title, "payload": f'/{intent}{{"test": "{test.id}"}}'}
        for aspect, title, intent in options
        if aspect != asked
    ]


def test_answer(test: TestInfo, aspect: str, clinician: bool) -> Answer:
    text = test.clinical.what if clinician else getattr(test.patient, aspect) or test.patient.what
    return Answer(
        text=text,
        section=test.section,
        subject=("test", test.id),
        buttons=follow_up_buttons(test, aspect),
    )


def term_answer(content: Content, term_id: str, clinician: bool) -> Answer:
    term = content.terms[term_id]
    return Answer(
        text=term.clinical if clinician else term.meaning,
        section=term.section,
        subject=("term", term.id),
        buttons=[
            {"title": "How do you say it?", "payload": f'/ask_pronunciation{{"term": "{term.id}"}}'}
        ],
    )


class ActionExplain(PageAnswer):
    """What a test is, what it shows or what it can miss; or what a word on a report means."""

    intents = tuple(ASPECT_BY_INTENT)

    def name(self) -> str:
        return ACTION_EXPLAIN

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        content = load_content()
        aspect = ASPECT_BY_INTENT.get(latest_intent(tracker), "what")
        kind, subject_id = subject_from(tracker)
        clinician = is_clinician(tracker)
        if kind == "test" and aspect == "how" and not content.tests[subject_id].patient.how:
            return not_on_page(dispatcher, tracker, [HOW_NOT_ON_PAGE], (kind, subject_id))
        if kind == "test":
            test = content.tests[subject_id]
            if aspect == "what" and test.kinds_named(tracker.latest_message.get("text") or ""):
                # "What's a core needle biopsy?": what the page says about that kind.
                aspect = "shows"
            if aspect in ("what", "shows") and finding_it_misses(test, tracker, content):
                # "Does the bone scan pick those up?" after "what's osteolytic": its limits.
                aspect = "limits"
            answer = test_answer(test, aspect, clinician)
            if not clinician:
                answer = with_lent_sentence(answer, [test.id], tracker)
        elif kind == "term" and aspect != "what" and term_test(content, subject_id):
            # "Is it always from bone mets?" about hypercalcemia: the calcium test's limits.
            answer = test_answer(term_test(content, subject_id), aspect, clinician)
        elif kind == "term":
            answer = term_answer(content, subject_id, clinician)
        else:
            dispatcher.utter_message(response="utter_ask_which_test")
            send_first_answer_note(dispatcher, tracker)
            return []
        return send_answer(dispatcher, tracker, answer)


# "does it pick up", "can the bone scan find", "will it show": whether a test finds something.
_FINDS = re.compile(
    r"\b(?:pick|picks|picked) (?:\w+ )?up\b|\b(?:find|finds|show|shows|see|sees|detect|detects"
    r"|spot|spots|catch|catches|good at|better at)\b"
)
# The word asked about was the last answer's: "does the bone scan pick those up?".
_THE_LAST_WORD = re.compile(r"\b(?:those|these|them|that kind|that type|this kind|this type)\b")


def finding_it_misses(test: TestInfo, tracker: Tracker, content: Content) -> bool:
    """Whether the question asks if `test` finds a kind of change its limits name: the word
    named in the question, or the one talked about last."""
    text = (tracker.latest_message.get("text") or "").lower()
    if not _FINDS.search(text):
        return False
    named = list(tracker.get_latest_entity_values("term"))
    last = tracker.get_slot(SLOT_TERM)
    asked = named or ([last] if last and _THE_LAST_WORD.search(text) else [])
    limits = set(re.findall(r"[a-z]+", (test.patient.limits or "").lower()))
    return any(
        word == term or (len(word) >= 5 and term.endswith(word))
        for term in (content.terms[t].term.lower() for t in asked if t in content.terms)
        for word in limits
    )


def term_test(content: Content, term_id: str) -> TestInfo | None:
    """The test a glossary word belongs to (hypercalcemia: the blood calcium test)."""
    return next((t for t in content.tests.values() if t.term == term_id), None)


def not_on_page(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    topics: list[str],
    subject: tuple[str | None, str | None],
) -> list[EventType]:
    """Says honestly what the page does not say and who can tell them; then what it does say
    about the test, if a test was asked about."""
    rules = load_reading()
    what = " or ".join(rules.says(t) for t in topics)
    content = load_content()
    kind, subject_id = subject
    test = content.tests.get(subject_id) if kind == "test" else None
    if test is None and kind == "term":
        test = term_test(content, subject_id)
    if test is None:
        dispatcher.utter_message(response="utter_not_on_page", what=what)
        send_notes(dispatcher, tracker)
        return []
    dispatcher.utter_message(response="utter_not_on_page_about", what=what, name=test.name)
    return send_answer(dispatcher, tracker, test_answer(test, "what", is_clinician(tracker)))


class ActionNotOnPage(Action):
    """What people ask that the page does not answer: how long, does it hurt, is it safe..."""

    def name(self) -> str:
        return ACTION_NOT_ON_PAGE

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        topics = reading(tracker).get("not_on_page") or [HOW_NOT_ON_PAGE]
        return not_on_page(dispatcher, tracker, topics, subject_from(tracker))


class ActionExplainTopic(PageAnswer):
    """The page's general topics: finding spread before symptoms, imaging, lab tests..."""

    intents = tuple(TOPIC_BY_INTENT)

    def name(self) -> str:
        return ACTION_EXPLAIN_TOPIC

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = latest_intent(tracker)
        topic_id = TOPIC_BY_INTENT.get(intent)
        if topic_id is None:
            dispatcher.utter_message(response="utter_ask_which_test")
            send_first_answer_note(dispatcher, tracker)
            return []
        content = load_content()
        named = [
            content.tests[test_id]
            for test_id in tracker.get_latest_entity_values("test")
            if test_id in content.tests
        ]
        kind = TOPIC_TEST_KIND.get(topic_id)
        if kind and named and all(test.kind != kind for test in named):
            # "Can a CT scan help find bone mets?" read as the lab tests' overview: the named
            # test is no lab test, so what that test shows is the answer.
            answer = test_answer(named[0], "shows", is_clinician(tracker))
            return send_answer(dispatcher, tracker, answer)
        topic = content.topics[topic_id]
        text = topic.clinical if is_clinician(tracker) else topic.patient
        # "Is there a urine test for bone mets?" then "what does it pick up?": the one test
        # named is what a follow-up asks about.
        subject = ("test", named[0].id) if len(named) == 1 else None
        return send_answer(
            dispatcher, tracker, Answer(text=text, section=topic.section, subject=subject)
        )


class ActionCiteSource(Action):
    def name(self) -> str:
        return ACTION_CITE_SOURCE

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        content = load_content()
        dispatcher.utter_message(response="utter_source", citation=content.source_citation())
        return []
