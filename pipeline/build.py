"""Builds the project's spaCy pipeline from `spacy.blank("en")` and the glossary.

No pretrained spaCy model can be downloaded here, and none is needed: Rasa uses this pipeline
for tokens and for the medical-term entities. Run with `python -m pipeline.build OUTPUT_DIR`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy
from spacy.language import Language

from content.schema import Content, load_content
from pipeline import glossary_matcher  # noqa: F401  (registers the factory)


def alias_patterns(content: Content) -> list[dict]:
    """Tests first: when a test and a glossary word share a name ("biopsy"), the test wins."""
    patterns: dict[str, dict] = {}
    for test in content.tests.values():
        for alias in test.aliases:
            patterns.setdefault(alias.lower(), {"alias": alias, "label": "test", "id": test.id})
    for term in content.terms.values():
        for alias in [term.term, *term.aliases]:
            patterns.setdefault(alias.lower(), {"alias": alias, "label": "term", "id": term.id})
    return list(patterns.values())


def build_pipeline(content: Content) -> Language:
    nlp = spacy.blank("en")
    nlp.meta["name"] = "bonemets_terms"
    nlp.meta["version"] = "1.0.0"
    matcher = nlp.add_pipe("glossary_term_matcher")
    matcher.add_patterns(alias_patterns(content))
    return nlp


def main(output: str) -> None:
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    build_pipeline(load_content()).to_disk(output)
    print(f"spaCy pipeline written to {output}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/spacy_pipeline")
