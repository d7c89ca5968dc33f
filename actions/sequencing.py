"""Which test often comes when, and why: answers walked from the pathway in `content/pathway.yml`.

Follow-ups ("and after that?", "why that one?") work from two slots: `current_test` (set by
every answer's subject, see `send_answer`) and `previous_test`, the test a "what comes after"
answer started from, so "why that one?" gives the reason for that step and not another.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answering import (
    READING_KEY,
    SLOT_TEST,
    Answer,
    PageAnswer,
    is_clinician,
    referred_subject,
    send_answer,
    send_first_answer_note,
    with_lent_sentence,
)
from actions.knowledge import test_answer
from content.pathway import START, Edge, Pathway, Reason, load_pathway
from content.schema import Content, load_content

ACTION_TEST_LIST = "action_test_list"
ACTION_FIRST_TEST = "action_first_test"
ACTION_NEXT_TEST = "action_next_test"
ACTION_WHY_TEST = "action_why_test"
ACTION_NEED_TEST = "action_need_test"
ACTION_COMPARE_TESTS = "action_compare_tests"
ACTION_WHICH_TEST = "action_which_test"
SLOT_PREVIOUS_TEST = "previous_test"

# A comparison asked about its first test, with the second as the yardstick.
ABOUT_THE_FIRST = re.compile(r"\s*(?:so |and |but )?(?:is|are|does|do|can|how does|how is|hows)\b")
# "Why do some people get one and others don't?": a question of whether it is needed.
SOME_NOT_OTHERS = re.compile(
    r"\bsome (?:people|patients|of us)\b|\bnot (?:everyone|everybody|every)\b"
    r"|\bothers? (?:do not|don't|dont|never|did not|didn't|didnt)\b|\bonly ever\b"
)
# "Why not just a bone scan?": why the test talked about rather than this one.
WHY_NOT = re.compile(r"\bwhy not\b")
# Reasons are joined while the answer stays this short (the project's length target).
MAX_WORDS = 60


@dataclass(frozen=True)
class Question:
    """What the latest message asks about, with the conversation's context."""

    text: str
    tests: tuple[str, ...]
    # How many times a test was named, repeats included: "CT or cat scan" names one test twice.
    test_mentions: int
    terms: frozenset[str]
    # The glossary words in the order named, repeats dropped.
    named_terms: tuple[str, ...]
    current_test: str | None
    previous_test: str | None
    clinician: bool

    @classmethod
    def from_tracker(cls, tracker: Tracker, content: Content) -> Question:
        entities = tracker.latest_message.get("entities") or []
        text = tracker.latest_message.get("text") or ""
        named_entities = [e for e in entities if e.get("entity") in ("test", "term")]
        # A test can be named by its glossary word too ("what follows a high calcium?");
        # dict.fromkeys keeps the order the tests were named in and drops repeats.
        named = [
            e["value"] if e["entity"] == "test" else glossary_test(content, e["value"])
            for e in named_entities
        ]
        # Each test by each name it was written with: "CT or cat scan" names one test by two
        # names, "my MRI report ... can an MRI" names it twice by one.
        mentions = {
            (test, _surface(text, e, i))
            for i, (test, e) in enumerate(zip(named, named_entities, strict=True))
            if test
        }
        referred = referred_subject(tracker)
        if not any(named) and referred:
            # "Why is the first one done?": the test it points back to.
            test = referred[1] if referred[0] == "test" else glossary_test(content, referred[1])
            named.append(test)
            mentions.add((test, "it"))
        subject = (tracker.latest_message.get(READING_KEY) or {}).get("subject") or {}
        if subject.get("kind") == "test" and subject.get("id") in named[1:]:
            # "The bone scan found a spot and now a CT. Why do a CT after the bone scan?": the
            # test the question sentence asks about, not the first one the story names.
            named.insert(0, named.pop(named.index(subject["id"])))
        if subject == {"kind": "it"}:
            # "Why that one and not a CT?": the test talked about comes first, the CT second.
            it = tracker.get_slot(SLOT_TEST)
            named.insert(0, it)
            mentions.add((it, "it"))
        return cls(
            text=text,
            tests=tuple(dict.fromkeys(t for t in named if t)),
            test_mentions=sum(1 for test, _ in mentions if test),
            terms=frozenset(e["value"] for e in entities if e.get("entity") == "term"),
            named_terms=tuple(
                dict.fromkeys(e["value"] for e in entities if e.get("entity") == "term")
            ),
            current_test=tracker.get_slot(SLOT_TEST),
            previous_test=tracker.get_slot(SLOT_PREVIOUS_TEST),
            clinician=is_clinician(tracker),
        )

    def points_at(self, pathway: Pathway, edge: Edge) -> bool:
        """Whether the question mentions the finding that leads to this step ("my spine")."""
        return pathway.findings[edge.when].is_mentioned(self.text, self.terms)

    def wording(self, reason: Reason) -> str:
        return reason.clinical if self.clinician else reason.patient


def _surface(text: str, entity: dict, index: int) -> str:
    """How the message wrote an entity, for telling two names of a test from one said twice;
    without its place in the message, each mention counts as a name of its own."""
    start, end = entity.get("start"), entity.get("end")
    written = text[start:end] if isinstance(start, int) and isinstance(end, int) else ""
    return " ".join(written.lower().split()) or f"#{index}"


def glossary_test(content: Content, term: str) -> str | None:
    """The test a glossary word stands for: the one with the same id, else the first using it."""
    if term in content.tests:
        return term
    return next((t.id for t in content.tests.values() if t.term == term), None)


@dataclass
class Reply:
    answer: Answer
    # The test a "what comes after" step started from, for "why that one?".
    came_from: str | None = None


def button(title: str, intent: str, test: str | None = None) -> dict[str, str]:
    entities = f'{{"test": "{test}"}}' if test else ""
    return {"title": title, "payload": f"/{intent}{entities}"}


def why_button(content: Content, test: str) -> dict[str, str]:
    return button(f"Why the {content.tests[test].name}?", "ask_why_test", test)


def next_button(content: Content, test: str) -> dict[str, str]:
    return button(f"What comes after the {content.tests[test].name}?", "ask_next_test", test)


def fitting(reasons: list[Reason], question: Question) -> list[Reason]:
    """The first reason always; each next one only while the answer stays short."""
    words = 0
    kept: list[Reason] = []
    for reason in reasons:
        words += len(question.wording(reason).split())
        if kept and words > MAX_WORDS:
            break
        kept.append(reason)
    return kept


def joined(reasons: list[Reason], question: Question) -> str:
    return " ".join(question.wording(r) for r in reasons)


def asked_test(pathway: Pathway, question: Question) -> str | None:
    """The test asked about: the first one named, a group named ("blood tests"), or the last one
    talked about."""
    if question.tests:
        return question.tests[0]
    group = next((g for g in pathway.groups.values() if g.is_mentioned(question.text)), None)
    if group:
        return group.tests[0]
    return question.current_test


def ranked_reasons(pathway: Pathway, test: str, question: Question) -> list[Edge]:
    """The reasons a test is done, the ones the question points at first.

    A finding the person mentions ("my spine") counts most, then another test they name ("why a
    CT and not a bone scan?"), then the step just discussed. With no pointer, the file's order.
    A finding that belongs after another test than the one named is the named test's result:
    "a CT after the bone scan showed a hot spot" is not about a spot on a PET scan, and the
    page gives no step from a bone scan's spot, so the test's general reasons come first.
    """
    others = set(other_tests(question, test))

    def after_another(edge: Edge) -> bool:
        return bool(others) and not others & set(edge.from_) and bool(set(edge.from_) - {"start"})

    result_told = any(
        question.points_at(pathway, e) and after_another(e) for e in pathway.edges_into(test)
    )

    def score(edge: Edge) -> int:
        mentioned = question.points_at(pathway, edge) and not after_another(edge)
        general = result_told and not edge.from_
        return (
            4 * mentioned
            + 3 * general
            + 2 * bool(others & set(edge.from_))
            + (question.previous_test in edge.from_)
        )

    # Among equals, the reasons for this very test first: a CT-guided biopsy's own reason
    # (guiding the needle) before the reason for any biopsy.
    edges = sorted(
        pathway.edges_into(test), key=lambda e: (score(e), e.main_test == test), reverse=True
    )
    best = score(edges[0])
    return [e for e in edges if score(e) == best] if best else edges


def other_tests(question: Question, test: str) -> list[str]:
    """The other tests named, but not the one a procedure is named after: "a needle biopsy with
    the CT guiding it" asks about the CT-guided biopsy, not why a CT."""
    content = load_content()
    asked = content.tests[test]
    guided_by = asked.name.lower() if asked.kind == "procedure" else ""
    return [t for t in question.tests if t != test and content.tests[t].aliases[0] not in guided_by]


def onward_edges(pathway: Pathway, test: str, question: Question) -> list[Edge]:
    """What often follows `test` under a finding the question mentions: "if the MRI still isn't
    sure?", "her ALP was up, so they scanned her bones"."""
    return [e for e in pathway.edges.values() if test in e.from_ and question.points_at(pathway, e)]


def overview_reply(pathway: Pathway, content: Content, question: Question) -> Reply:
    text = f"{question.wording(pathway.overview)} {question.wording(pathway.care_team)}"
    return Reply(
        Answer(
            text=text,
            section=pathway.overview.section,
            buttons=[
                button("What comes first?", "ask_first_test"),
                button("Do I need a biopsy?", "ask_need_test", "biopsy"),
            ],
        )
    )


def first_reply(pathway: Pathway, content: Content, question: Question) -> Reply:
    # The pathway's first starting edge is the usual first test (the x-ray for bone pain).
    first = next(e for e in pathway.edges.values() if START in e.from_).main_test
    text = f"{question.wording(pathway.first)} {question.wording(pathway.care_team)}"
    return Reply(
        Answer(
            text=text,
            section=pathway.first.section,
            subject=("test", first),
            buttons=[next_button(content, first), why_button(content, first)],
        )
    )


def next_reply(pathway: Pathway, content: Content, question: Question) -> Reply | None:
    # "What comes after the x-ray and the bone scan?" asks about the later one.
    test = question.tests[-1] if question.tests else question.current_test
    if test is None:
        # "If the scans are unclear, what happens next?": the step for what they mention.
        pointed_at = [
            e for e in pathway.edges.values() if e.from_ and question.points_at(pathway, e)
        ]
        if not pointed_at:
            return None
        shown = fitting(pointed_at, question)
        return Reply(
            Answer(
                text=joined(shown, question),
                section=shown[0].section,
                subject=("test", shown[0].main_test),
            )
        )
    node = pathway.nodes[test]
    # A finding the person mentions ("a mass on the x-ray") picks which next step comes first.
    edges = sorted(
        pathway.edges_from(test),
        key=lambda e: question.points_at(pathway, e),
        reverse=True,
    )
    if not edges:
        return Reply(
            Answer(
                text=question.wording(node.end),
                section=node.end.section,
                subject=("test", test),
            ),
            came_from=test,
        )
    shown = fitting(edges, question)
    following = list(dict.fromkeys(e.main_test for e in shown))
    return Reply(
        Answer(
            text=joined(shown, question),
            section=shown[0].section,
            subject=("test", following[0]),
            buttons=[why_button(content, t) for t in following[:2]]
            + [next_button(content, following[0])],
        ),
        came_from=test,
    )


def why_reply(pathway: Pathway, content: Content, question: Question) -> Reply | None:
    test = asked_test(pathway, question)
    if test is None:
        return None
    current = question.current_test
    if WHY_NOT.search(question.text) and question.tests == (test,) and current not in (None, test):
        # "Why not just a bone scan?" while a PET is talked about: how the two differ.
        return compare_reply(pathway, content, question, (current, test))
    if pathway.nodes[test].need and SOME_NOT_OTHERS.search(question.text.lower()):
        # "Why do some people get a biopsy and others don't?": when it is needed at all.
        return need_reply(pathway, content, question)
    edges = ranked_reasons(pathway, test, question)
    others = other_tests(question, test)
    finding_named = any(question.points_at(pathway, e) for e in edges)
    onward = onward_edges(pathway, test, question)
    leads_to_named = [e for e in onward if set(e.to) & set(others)]
    result_led_on = content.tests[test].kind == "lab" and (
        leads_to_named or (onward and not finding_named)
    )
    if result_led_on:
        # "Her calcium was high and now a bone scan: is that the reason?", "her ALP was up, so
        # they scanned her liver and her bones, why both?": why this result leads to scans.
        edges = leads_to_named or onward
    elif others and not finding_named and not set(others) & set(edges[0].from_):
        # "Why an MRI and not a CT?" with no step between them: how they differ is the answer.
        return compare_reply(pathway, content, question, (others[0], test))
    return Reply(
        Answer(
            text=joined(fitting(edges, question), question),
            section=edges[0].section,
            subject=("test", test),
            buttons=[
                next_button(content, test),
                button("What does it show?", "ask_what_it_shows", test),
            ],
        )
    )


def which_reply(pathway: Pathway, content: Content, question: Question) -> Reply | None:
    """Which test is used for a situation ("which scan is best for lytic spots?"): the steps
    whose finding the question mentions; the usual order when it mentions none."""
    edges = [e for e in pathway.edges.values() if question.points_at(pathway, e)]
    if not edges:
        return overview_reply(pathway, content, question)
    shown = fitting(edges, question)
    test = shown[0].main_test
    return Reply(
        Answer(
            text=joined(shown, question),
            section=shown[0].section,
            subject=("test", test),
            buttons=[why_button(content, test), next_button(content, test)],
        )
    )


def need_reply(pathway: Pathway, content: Content, question: Question) -> Reply | None:
    # "Bone scan and bloods agree: do they still need a biopsy?" asks about the biopsy.
    test = next((t for t in question.tests if pathway.nodes[t].need), None) or asked_test(
        pathway, question
    )
    if test is None:
        return None
    ranked = ranked_reasons(pathway, test, question)
    # A reason the person points at ("do they need to repeat it?") comes before the general one.
    if question.points_at(pathway, ranked[0]):
        reason = ranked[0]
    elif onward := [e for e in onward_edges(pathway, test, question) if e not in ranked]:
        # "And if the MRI still isn't sure?": what may follow it then.
        reason = onward[0]
        test = reason.main_test
    else:
        reason = pathway.nodes[test].need or ranked[0]
    text = f"{question.wording(reason)} {question.wording(pathway.care_team)}"
    buttons = [why_button(content, test), next_button(content, test)]
    return Reply(Answer(text=text, section=reason.section, subject=("test", test), buttons=buttons))


def compare_reply(
    pathway: Pathway, content: Content, question: Question, pair: tuple[str, str] | None = None
) -> Reply | None:
    if pair is None:
        kinds_of = [t for t in content.tests.values() if t.kinds_compared(question.text)]
        if kinds_of:
            # "What's the difference between fine needle and core?": where the page compares
            # that test's kinds.
            return Reply(test_answer(kinds_of[0], "shows", question.clinician))
        named = list(question.tests)
        if len(named) == 1 and question.test_mentions > 1:
            return same_test_reply(pathway, content, question, named[0])
        if len(named) == 1 and question.current_test not in (None, named[0]):
            # "How is it different from a CT?": "it" is the test last talked about.
            named.insert(0, question.current_test)
        only = named[0] if len(named) == 1 else None
        if not named and question.current_test:
            # "What's the difference between fine and core?" about the test talked about:
            # what it shows is where the page compares its kinds.
            only = question.current_test
        if only and only != question.current_test or (only and not named):
            return Reply(test_answer(content.tests[only], "shows", question.clinician))
        if len(named) < 2 and len(question.terms) >= 2:
            return words_reply(content, question)
        if len(named) < 2:
            return None
        pair = (named[0], named[1])
        # "Is an MRI like a CT?" is about the MRI ("does it use x-rays?" next means the MRI);
        # "bone scan or PET?" weighs both, and "why that one?" next means the last one named.
        subject = named[0] if ABOUT_THE_FIRST.match(question.text.lower()) else named[1]
    else:
        subject = pair[1]
    first, second = pair
    comparison = pathway.comparison_of(first, second)
    if comparison:
        text, section = question.wording(comparison), comparison.section
    else:
        profiles = [pathway.nodes[t].profile for t in pair]
        text = " ".join(question.wording(p) for p in profiles)
        section = profiles[0].section
    return Reply(
        Answer(
            text=text,
            section=section,
            subject=("test", subject),
            buttons=[why_button(content, first), why_button(content, second)],
        )
    )


def words_reply(content: Content, question: Question) -> Reply:
    """Two words compared ("osteolytic vs osteoblastic"): what each means."""
    terms = [content.terms[t] for t in question.named_terms[:2]]
    return Reply(
        Answer(
            text=" ".join(t.clinical if question.clinician else t.meaning for t in terms),
            section=terms[0].section,
            subject=("term", terms[0].id),
        )
    )


def same_test_reply(pathway: Pathway, content: Content, question: Question, test: str) -> Reply:
    """Two names for one test: say so, then what the test is. Two of its kinds ("fine or core
    needle?") are not two names: what the test shows tells them apart."""
    if content.tests[test].kinds_named(question.text) >= 2:
        return Reply(test_answer(content.tests[test], "shows", question.clinician))
    profile = pathway.nodes[test].profile
    return Reply(
        Answer(
            text=f"{question.wording(pathway.same_test)} {question.wording(profile)}",
            section=profile.section,
            subject=("test", test),
            buttons=[why_button(content, test)],
        )
    )


# Scans or imaging in general, for a question that names no test.
SCANS_IN_GENERAL = re.compile(r"\b(?:scans|scanning|imaging|all these tests|so many tests)\b", re.I)


class SequencingAction(PageAnswer):
    """Runs one kind of pathway answer; asks which test when the question names none."""

    # Said when the question names no test and no test was talked about before.
    ask_response = "utter_ask_which_test"
    # The page's topic for a question about scans in general, if this kind has one.
    general_topic: str | None = None

    @abstractmethod
    def reply(self, pathway: Pathway, content: Content, question: Question) -> Reply | None: ...

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        content = load_content()
        question = Question.from_tracker(tracker, content)
        reply = self.reply(load_pathway(), content, question)
        if reply is None and self.general_topic and SCANS_IN_GENERAL.search(question.text):
            # "Why so many scans?" names no test: why imaging is done at all.
            topic = content.topics[self.general_topic]
            text = topic.clinical if question.clinician else topic.patient
            return send_answer(dispatcher, tracker, Answer(text=text, section=topic.section))
        if reply is None:
            dispatcher.utter_message(response=self.ask_response)
            send_first_answer_note(dispatcher, tracker)
            return []
        answer = reply.answer
        if not question.clinician:
            answer = with_lent_sentence(answer, list(question.tests), tracker)
        events = send_answer(dispatcher, tracker, answer)
        return [*events, SlotSet(SLOT_PREVIOUS_TEST, reply.came_from)]


class ActionTestList(SequencingAction):
    """The usual order ("what tests might I have?"), short, with buttons to go deeper."""

    intents = ("ask_test_list",)

    def name(self) -> str:
        return ACTION_TEST_LIST

    def reply(self, pathway: Pathway, content: Content, question: Question) -> Reply:
        return overview_reply(pathway, content, question)


class ActionFirstTest(SequencingAction):
    intents = ("ask_first_test",)

    def name(self) -> str:
        return ACTION_FIRST_TEST

    def reply(self, pathway: Pathway, content: Content, question: Question) -> Reply:
        return first_reply(pathway, content, question)


class ActionNextTest(SequencingAction):
    intents = ("ask_next_test",)

    def name(self) -> str:
        return ACTION_NEXT_TEST

    def reply(self, pathway: Pathway, content: Content, question: Question) -> Reply | None:
        return next_reply(pathway, content, question)


class ActionWhyTest(SequencingAction):
    intents = ("ask_why_test",)
    general_topic = "imaging_overview"

    def name(self) -> str:
        return ACTION_WHY_TEST

    def reply(self, pathway: Pathway, content: Content, question: Question) -> Reply | None:
        return why_reply(pathway, content, question)


class ActionNeedTest(SequencingAction):
    """When a test is often done or skipped ("do I need a biopsy?"); the care team decides."""

    intents = ("ask_need_test",)

    def name(self) -> str:
        return ACTION_NEED_TEST

    def reply(self, pathway: Pathway, content: Content, question: Question) -> Reply | None:
        return need_reply(pathway, content, question)


class ActionWhichTest(SequencingAction):
    """Which test is used for a situation, from the findings the pathway knows."""

    intents = ("ask_which_test",)

    def name(self) -> str:
        return ACTION_WHICH_TEST

    def reply(self, pathway: Pathway, content: Content, question: Question) -> Reply | None:
        return which_reply(pathway, content, question)


class ActionCompareTests(SequencingAction):
    intents = ("ask_compare_tests",)
    ask_response = "utter_ask_which_two_tests"

    def name(self) -> str:
        return ACTION_COMPARE_TESTS

    def reply(self, pathway: Pathway, content: Content, question: Question) -> Reply | None:
        return compare_reply(pathway, content, question)
