"""Printable patient handouts: "handout bone scan" gives one Markdown page to paste or print.

Nurses ask for them in Slack or Teams, but the page is for the patient: it is built only from
the patient texts and glossary in content/ (plain words, never the clinical wording), with each
hard word's pronunciation and the source's title and review date.

On the web the page is the Markdown text. In Slack and Teams it goes as the custom payload
`{"handout": {...}}` (see `page_payload`), the same page in parts, which each chat app's
connector lays out its own way (Block Kit and a file in Slack, an Adaptive Card in Teams).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answering import is_clinician, subject_from
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


@dataclass
class Page:
    """A handout as the patient reads it: every text final (respellings added)."""

    title: str
    parts: list[tuple[str | None, str]]
    words: list[Term]
    note: str


def compose(content: Content, handout: Handout) -> Page:
    said = set(handout.said)
    mentioned: list[Term] = []
    parts = []
    for heading, text in handout.parts:
        mentioned += mentioned_terms(text, content)
        text, added = add_respellings(text, said, content)
        said |= {term.id for term in added}
        parts.append((heading, text))
    words = {t.id: t for t in [*mentioned, *(content.terms[i] for i in handout.terms)]}
    for term_id in handout.said:
        words.pop(term_id, None)  # the handout is about that word: it is explained above
    section = content.source.sections[handout.section].title
    note = SOURCE_NOTE.format(citation=content.source_citation(), section=section)
    return Page(handout.title, parts, sorted(words.values(), key=lambda t: t.term), note)


def word_entry(term: Term) -> str:
    return f"- **{term.term}** ({term.respelling}): {term.meaning}"


def markdown(page: Page) -> str:
    lines = [f"# {page.title}", ""]
    for heading, text in page.parts:
        if heading:
            lines += [f"## {heading}", ""]
        lines += [text, ""]
    if page.words:
        lines += [f"## {WORDS_HEADING}", ""]
        lines += [word_entry(term) for term in page.words]
        lines.append("")
    lines += ["---", "", f"_{page.note}_"]
    return "\n".join(lines)


def render(content: Content, handout: Handout) -> str:
    return markdown(compose(content, handout))


def page_payload(content: Content, handout: Handout) -> dict[str, Any]:
    """The page in parts for the chat apps, with its Markdown for a file to download."""
    page = compose(content, handout)
    slug = re.sub(r"[^a-z0-9]+", "-", page.title.lower()).strip("-")
    return {
        "title": page.title,
        "parts": [{"heading": heading, "text": text} for heading, text in page.parts],
        "words_heading": WORDS_HEADING,
        "words": [
            {"term": t.term, "respelling": t.respelling, "meaning": t.meaning} for t in page.words
        ],
        "source": page.note,
        "reviewed": content.source.last_medical_review.isoformat(),
        "markdown": markdown(page),
        "filename": f"{slug}-patient-handout.md",
    }


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
        if is_clinician(tracker):
            dispatcher.utter_message(json_message={"handout": page_payload(content, handout)})
        else:
            dispatcher.utter_message(text=render(content, handout))
        return []
