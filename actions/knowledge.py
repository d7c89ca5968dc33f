"""Answers about what each test is, what it shows, its limits, and the page's general topics."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answering import Answer, is_clinician, latest_intent, send_answer, subject_from
from content.schema import Content, TestInfo, load_content

ACTION_EXPLAIN = "action_explain"
ACTION_EXPLAIN_TOPIC = "action_explain_topic"
ACTION_CITE_SOURCE = "action_cite_source"

# Which part of a test's facts each question asks for.
ASPECT_BY_INTENT = {"ask_what_is": "what", "ask_what_it_shows": "shows", "ask_limits": "limits"}
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
    text = test.clinical.what if clinician else getattr(test.patient, aspect)
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


class ActionExplain(Action):
    """What a test is, what it shows or what it can miss; or what a word on a report means."""

    def name(self) -> str:
        return ACTION_EXPLAIN

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        content = load_content()
        aspect = ASPECT_BY_INTENT.get(latest_intent(tracker), "what")
        kind, subject_id = subject_from(tracker)
        clinician = is_clinician(tracker)
        if kind == "test":
            answer = test_answer(content.tests[subject_id], aspect, clinician)
        elif kind == "term":
            answer = term_answer(content, subject_id, clinician)
        else:
            dispatcher.utter_message(response="utter_ask_which_test")
            return []
        return send_answer(dispatcher, tracker, answer)


class ActionExplainTopic(Action):
    """The page's general topics: finding spread before symptoms, imaging, lab tests..."""

    def name(self) -> str:
        return ACTION_EXPLAIN_TOPIC

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = latest_intent(tracker)
        topic_id = TOPIC_BY_INTENT.get(intent)
        if topic_id is None:
            dispatcher.utter_message(response="utter_ask_which_test")
            return []
        topic = load_content().topics[topic_id]
        text = topic.clinical if is_clinician(tracker) else topic.patient
        return send_answer(dispatcher, tracker, Answer(text=text, section=topic.section))


class ActionCiteSource(Action):
    def name(self) -> str:
        return ACTION_CITE_SOURCE

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        content = load_content()
        dispatcher.utter_message(response="utter_source", citation=content.source_citation())
        return []
