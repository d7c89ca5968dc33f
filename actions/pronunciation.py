"""Respellings on first mention, and the answer to "how do you say X?"."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answering import Answer, PageAnswer, send_answer, subject_from
from content.schema import Content, Term, load_content

ACTION_PRONOUNCE = "action_pronounce"


MOST_WORDS_AT_ONCE = 3
# A question that asks what the word means as well as how to say it.
ASKS_WHAT_IT_MEANS = re.compile(
    r"\bwhat (?:is|does|are) (?:it|that|this|they)\b|\bmean(?:s|ing)?\b"
)


def named_terms(tracker: Tracker, content: Content) -> list[Term]:
    """The glossary words the latest message names, tests by their word, in order."""
    ids: list[str] = []
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "term":
            ids.append(entity["value"])
        elif entity.get("entity") == "test" and entity["value"] in content.tests:
            ids.append(content.tests[entity["value"]].term)
    return [content.terms[i] for i in dict.fromkeys(ids) if i in content.terms]


def last_word_respelled(tracker: Tracker, content: Content) -> str | None:
    """ "How do you say that?" after an answer that named no test: the hard word the last
    answer respelled last ("...can measure N-telopeptide (en-TEL-oh-PEP-tide)")."""
    bubbles, users = [], 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:  # back past the question before this one
                break
        elif event.get("event") == "bot" and users == 1:
            bubbles.insert(0, event.get("text") or "")
    said = "\n".join(bubbles)
    found = [(said.rfind(t.respelling), t.id) for t in content.terms.values() if t.respelling]
    found = [(at, term_id) for at, term_id in found if at >= 0]
    return max(found)[1] if found else None


def capitalised(word: str) -> str:
    return word[0].upper() + word[1:]


class ActionPronounce(PageAnswer):
    intents = ("ask_pronunciation",)

    def name(self) -> str:
        return ACTION_PRONOUNCE

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        content = load_content()
        kind, subject_id = subject_from(tracker)
        term_id = subject_id if kind == "term" else None
        if kind == "test":
            term_id = content.tests[subject_id].term
        if term_id is None:
            term_id = last_word_respelled(tracker, content)
        if term_id is None:
            dispatcher.utter_message(response="utter_ask_which_word")
            return []
        term = content.terms[term_id]
        text = f"{capitalised(term.term)} is said {term.respelling}. {term.meaning}"
        asked = (tracker.latest_message.get("text") or "").lower()
        for form, respelling in term.respelled_forms.items():
            if form in asked or "plural" in asked:
                text = f"{capitalised(form)} is said {respelling}. {text}"
        terms = [term]
        others = [t for t in named_terms(tracker, content) if t.id != term.id]
        if others:
            # "How do I say osteolytic and osteoblastic?": every word asked, without meanings,
            # so the answer stays short.
            terms = [term, *others][:MOST_WORDS_AT_ONCE]
            text = " ".join(f"{capitalised(t.term)} is said {t.respelling}." for t in terms)
            if ASKS_WHAT_IT_MEANS.search(asked):
                # "What is it, and how do you say it?": the meaning of the word asked about.
                text = f"{text} {term.meaning}"
        return send_answer(
            dispatcher,
            tracker,
            Answer(
                text=text,
                section=term.section,
                subject=("term", term.id),
                pronounce=terms,
                respell=False,
            ),
        )
