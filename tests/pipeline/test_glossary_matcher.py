"""The spaCy glossary matcher: aliases and misspellings resolve to the glossary's ids."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from content.schema import load_content
from pipeline.build import build_pipeline

NLP = build_pipeline(load_content())


def found(text: str) -> list[tuple[str, str]]:
    return [(ent.label_, ent.kb_id_) for ent in NLP(text).ents]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what is a bone scan", [("test", "bone_scan")]),
        ("bone scan?", [("test", "bone_scan")]),
        ("why an MRI for my spine", [("test", "mri")]),
        ("what does high calcium mean", [("term", "hypercalcemia")]),
        ("my calcium is high", [("term", "hypercalcemia")]),
        ("what is hypercalsemia", [("term", "hypercalcemia")]),
        ("how do you say osteoblastic", [("term", "osteoblastic")]),
        ("how do you say osteoblastik", [("term", "osteoblastic")]),
        ("pronounce osteolitic", [("term", "osteolytic")]),
        ("the sugar scan", [("test", "pet")]),
        ("dark spot on my xray", [("term", "lytic"), ("test", "xray")]),
        ("bone scam or pet/ct", [("test", "bone_scan"), ("test", "pet_ct")]),
        ("CT vs MRI", [("test", "ct"), ("test", "mri")]),
        ("is alkalin phosphatase bad", [("term", "alkaline_phosphatase")]),
        ("what is a biopsy", [("test", "biopsy")]),
        ("cat scan", [("test", "ct")]),
        ("N-telopeptide", [("test", "ntx")]),
    ],
)
def test_aliases_and_misspellings_resolve_to_canonical_ids(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "what are the bones made of",
        "hello there",
        "I tested positive",
        "thanks a lot",
        "my scans are tomorrow",
        "is it serious",
        "can you help me",
    ],
)
def test_ordinary_words_are_not_taken_for_terms(text):
    assert found(text) == []


@pytest.mark.parametrize("text", ["what is telopeptide", "what is n-telopeptide"])
def test_a_near_miss_leaves_the_question_its_verb(text):
    """ "is telopeptide" is close to the alias "n telopeptide"; taken whole, the question would
    read "what TEST" and be asked which test."""
    assert [ent.text for ent in NLP(text).ents] == [text.split()[-1]]


def test_saved_pipeline_loads_through_the_entry_point_alone(tmp_path):
    """Rasa's SpacyNLP loads the pipeline from disk without importing our module first."""
    NLP.to_disk(tmp_path / "pipe")
    code = (
        "import json, spacy, sys\n"
        f"nlp = spacy.load({str(tmp_path / 'pipe')!r})\n"
        "print(json.dumps([e.kb_id_ for e in nlp('what is hypercalsemia').ents]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["hypercalcemia"]


def test_words_of_a_match_take_the_canonical_id_as_lemma_and_others_keep_none():
    doc = NLP("is a radiograph like a cat scann")
    assert [t.lemma_ for t in doc] == ["", "", "xray", "", "", "ct", "ct"]
