"""Printable patient handouts: "handout bone scan" gives one Markdown page to paste or print.

Nurses ask for them in Slack or Teams, but the page is for the patient: it is built only from
the patient texts and glossary in content/ (plain words, never the clinical wording), with each
hard word's pronunciation and the source's title and review date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answering import subject_from
from actions.respelling import add_respellings
from content.schema import Content, Term, load_content

ACTION_HANDOUT = "action_handout"
# Set by the buttons that offer the general topics (imaging tests, lab tests...).
ENTITY_TOPIC = "handout_topic"
UTTER_ASK_TOPIC = "utter_ask_handout_topic"
# A general topic is recognised in "handout lab tests" when its title matches this well.
TOPIC_TITLE_MATCH = 90

# The handout's own headings; every sentence under them comes from content/.
TEST_PARTS = (("what", None), ("shows", "What it can show"), ("limits", "What it can miss"))
SAY_IT_HEADING = "How to say it"
MEANING_HEADING = "What it means"
WORDS_HEADING = "Words you may hear"
SOURCE_NOTE = (
    "Source: {citation} (section \u201c{section}\u201d). "
    "Written in plain words from that page. Your care team knows your own case best."
)


@dataclass
class Handout:
    title: str
    section: str
    parts: list[tuple[str | None, str]]
    # Terms to explain in the word list even if the text never names them (a test's own term).
    terms: list[str] = field(default_factory=list)
    # Terms whose pronunciation the handout already gives, so the text does not repeat it.
    said: set[str] = field(default_factory=set)


def handout_for_test(content: Content, test_id: str) -> Handout:
    test = content.tests[test_id]
    return Handout(
        title=test.name[0].upper() + test.name[1:],
        section=test.section,
        parts=[(heading, getattr(test.patient, aspect)) for aspect, heading in TEST_PARTS],
        terms=[test.term] if test.term else [],
    )


def handout_for_term(content: Content, term_id: str) -> Handout:
    term = content.terms[term_id]
    return Handout(
        title=term.term[0].upper() + term.term[1:],
        section=term.section,
        parts=[(SAY_IT_HEADING, term.respelling), (MEANING_HEADING, term.meaning)],
        said={term.id},
    )


def handout_for_topic(content: Content, topic_id: str) -> Handout:
    topic = content.topics[topic_id]
    return Handout(title=topic.title, section=topic.section, parts=[(None, topic.patient)])


def mentioned_terms(text: str, content: Content) -> list[Term]:
    """Glossary terms the text names, including any already explained in parentheses."""
    return [
        term
        for term in content.terms.values()
        if any(
            re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text, re.IGNORECASE)
            for form in term.forms
        )
    ]


def word_entry(term: Term) -> str:
    return f"- **{term.term}** ({term.respelling}): {term.meaning}"


def render(content: Content, handout: Handout) -> str:
    said = set(handout.said)
    mentioned: list[Term] = []
    lines = [f"# {handout.title}", ""]
    for heading, text in handout.parts:
        mentioned += mentioned_terms(text, content)
        text, added = add_respellings(text, said, content)
        said |= {term.id for term in added}
        if heading:
            lines += [f"## {heading}", ""]
        lines += [text, ""]
    words = {t.id: t for t in [*mentioned, *(content.terms[i] for i in handout.terms)]}
    for term_id in handout.said:
        words.pop(term_id, None)  # the handout is about that word: it is explained above
    if words:
        lines += [f"## {WORDS_HEADING}", ""]
        lines += [word_entry(term) for term in sorted(words.values(), key=lambda t: t.term)]
        lines.append("")
    section = content.source.sections[handout.section].title
    note = SOURCE_NOTE.format(citation=content.source_citation(), section=section)
    lines += ["---", "", f"_{note}_"]
    return "\n".join(lines)


def topic_named_in(content: Content, text: str) -> str | None:
    """The general topic whose title the message contains, as in "handout lab tests"."""
    scores = {
        topic.id: fuzz.partial_ratio(topic.title.lower(), text.lower())
        for topic in content.topics.values()
    }
    best = max(scores, key=scores.get, default=None)
    return best if best and scores[best] >= TOPIC_TITLE_MATCH else None


def requested_handout(content: Content, tracker: Tracker) -> Handout | None:
    """From a button's topic, a test or word in the message, a topic title, or the last subject."""
    topic_id = next(tracker.get_latest_entity_values(ENTITY_TOPIC), None)
    if topic_id in content.topics:
        return handout_for_topic(content, topic_id)
    named = {kind: next(tracker.get_latest_entity_values(kind), None) for kind in ("test", "term")}
    if not any(named.values()):
        topic_id = topic_named_in(content, tracker.latest_message.get("text") or "")
        if topic_id:
            return handout_for_topic(content, topic_id)
    kind, subject_id = subject_from(tracker)
    if kind == "test" and subject_id in content.tests:
        return handout_for_test(content, subject_id)
    if kind == "term" and subject_id in content.terms:
        return handout_for_term(content, subject_id)
    return None


class ActionHandout(Action):
    def name(self) -> str:
        return ACTION_HANDOUT

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        content = load_content()
        handout = requested_handout(content, tracker)
        if handout is None:
            dispatcher.utter_message(response=UTTER_ASK_TOPIC)
            return []
        dispatcher.utter_message(text=render(content, handout))
        return []
