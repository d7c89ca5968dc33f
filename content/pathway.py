"""The test pathway (`content/pathway.yml`): which test often follows which, and why.

Loaded once and checked against a schema and against the other content: every test it names
exists in `content/tests.yml`, every section in `content/source.yml`, and every test has a
reason to be done and a profile to compare it by.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from functools import lru_cache
from pathlib import Path

from pydantic import validator

from content.schema import (
    CONTENT_DIR,
    Content,
    Evidence,
    Strict,
    load_content,
    pairs_to_evidence,
    read_yaml,
    with_ids,
)

START = "start"


class Wording(Strict):
    patient: str
    clinical: str


class Reason(Wording):
    section: str
    evidence: list[Evidence]

    _pairs = validator("evidence", pre=True, allow_reuse=True)(pairs_to_evidence)

    @validator("evidence")
    def has_evidence(cls, value: list[Evidence]) -> list[Evidence]:
        if not value:
            raise ValueError("a reason needs at least one evidence phrase")
        return value


def says_any(text: str, words: list[str]) -> bool:
    """Whole words or phrases only: "back" is in "my back hurts", not in "feedback"."""
    return any(re.search(rf"\b{re.escape(word)}\b", text.lower()) for word in words)


# "I don't have pain anywhere": a finding said not to be there is not mentioned.
_NEGATED = re.compile(
    r"\b(?:no|not|never|without|nor|n't|dont|doesnt|didnt|isnt)\b(?:\W+\w+){0,2}\W*$"
)


def says_any_unnegated(text: str, words: list[str]) -> bool:
    lowered = text.lower().replace("n't", " n't")
    return any(
        not _NEGATED.search(lowered[: m.start()])
        for word in words
        for m in re.finditer(rf"\b{re.escape(word)}\b", lowered)
    )


class Finding(Strict):
    id: str
    words: list[str]
    # Glossary terms that name the finding, as the entity extractor reports them.
    terms: list[str] = []

    def is_mentioned(self, text: str, term_ids: AbstractSet[str]) -> bool:
        return bool(term_ids & set(self.terms)) or says_any_unnegated(text, self.words)


class Group(Strict):
    id: str
    words: list[str]
    tests: list[str]

    def is_mentioned(self, text: str) -> bool:
        return says_any(text, self.words)


class Edge(Reason):
    id: str
    from_: list[str]
    to: list[str]
    when: str

    class Config:
        fields = {"from_": "from"}

    @validator("to")
    def leads_somewhere(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("an edge needs at least one test in `to`")
        return value

    @property
    def main_test(self) -> str:
        return self.to[0]


class Node(Strict):
    id: str
    profile: Reason
    need: Reason | None = None
    end: Reason | None = None


class Comparison(Reason):
    id: str
    tests: list[str]

    @validator("tests")
    def names_at_least_two(cls, value: list[str]) -> list[str]:
        if len(set(value)) < 2:
            raise ValueError("a comparison needs at least two different tests")
        return value


class Pathway(Strict):
    findings: dict[str, Finding]
    groups: dict[str, Group]
    edges: dict[str, Edge]
    nodes: dict[str, Node]
    comparisons: dict[str, Comparison]
    overview: Reason
    first: Reason
    same_test: Wording
    care_team: Wording

    def reasons(self) -> list[tuple[str, Reason]]:
        """Every reason with a name for messages: what the evidence checks walk."""
        named: list[tuple[str, Reason]] = [
            ("overview", self.overview),
            ("first", self.first),
        ]
        named += [(f"edges.{e.id}", e) for e in self.edges.values()]
        named += [(f"comparisons.{c.id}", c) for c in self.comparisons.values()]
        for node in self.nodes.values():
            for part in ("profile", "need", "end"):
                if getattr(node, part):
                    named.append((f"nodes.{node.id}.{part}", getattr(node, part)))
        return named

    def edges_from(self, test_id: str) -> list[Edge]:
        return [e for e in self.edges.values() if test_id in e.from_]

    def edges_into(self, test_id: str) -> list[Edge]:
        return [e for e in self.edges.values() if test_id in e.to]

    def comparison_of(self, first: str, second: str) -> Comparison | None:
        return next((c for c in self.comparisons.values() if {first, second} <= set(c.tests)), None)

    def check_against(self, content: Content) -> list[str]:
        """Everything that only makes sense together with the rest of the content."""
        problems = []
        tests, sections = set(content.tests), set(content.source.sections)
        for name, reason in self.reasons():
            for section in {reason.section, *(ev.section for ev in reason.evidence)}:
                if section not in sections:
                    problems.append(f"{name}: unknown section {section!r}")
        for edge in self.edges.values():
            for test in [*edge.to, *(t for t in edge.from_ if t != START)]:
                if test not in tests:
                    problems.append(f"edges.{edge.id}: unknown test {test!r}")
            if edge.when not in self.findings:
                problems.append(f"edges.{edge.id}: unknown finding {edge.when!r}")
        for finding in self.findings.values():
            problems += [
                f"findings.{finding.id}: unknown glossary term {t!r}"
                for t in finding.terms
                if t not in content.terms
            ]
        for kind, items in (("groups", self.groups), ("comparisons", self.comparisons)):
            for item in items.values():
                problems += [
                    f"{kind}.{item.id}: unknown test {t!r}" for t in item.tests if t not in tests
                ]
        if set(self.nodes) != tests:
            problems.append(f"nodes must be exactly the tests; differ in {set(self.nodes) ^ tests}")
        for test in tests:
            if not self.edges_into(test):
                problems.append(f"test {test!r} has no reason to be done (no edge into it)")
            if not self.edges_from(test) and test in self.nodes and not self.nodes[test].end:
                problems.append(f"test {test!r} has no edge out and no `end` text")
        if not any(START in e.from_ for e in self.edges.values()):
            problems.append("no edge starts the pathway (from: [start])")
        return problems


@lru_cache(maxsize=4)
def load_pathway(directory: Path = CONTENT_DIR) -> Pathway:
    raw = read_yaml(directory / "pathway.yml")
    pathway = Pathway(
        findings=with_ids(raw["findings"]),
        groups=with_ids(raw["groups"]),
        edges=with_ids(raw["edges"]),
        nodes=with_ids(raw["nodes"]),
        comparisons=with_ids(raw["comparisons"]),
        overview=raw["overview"],
        first=raw["first"],
        same_test=raw["same_test"],
        care_team=raw["care_team"],
    )
    problems = pathway.check_against(load_content(directory))
    if problems:
        raise ValueError("content/pathway.yml: " + "; ".join(problems))
    return pathway
