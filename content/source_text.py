"""The source page, split into the sections content/source.yml names (for evidence checks)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from content.schema import load_content

SOURCE_DIR = Path(__file__).resolve().parent / "source"


@lru_cache
def source_text() -> str:
    return (SOURCE_DIR / load_content().source.file).read_text(encoding="utf-8")


@lru_cache
def source_sections() -> dict[str, str]:
    """Section id -> its text, from its heading line (included) to the next listed heading."""
    lines = source_text().splitlines()
    headings = {s.heading: sid for sid, s in load_content().source.sections.items()}
    sections: dict[str, list[str]] = {}
    current = None
    for line in lines:
        if line.strip() in headings:
            current = headings[line.strip()]
            sections[current] = [line]
        elif current:
            sections[current].append(line)
    return {sid: "\n".join(body) for sid, body in sections.items()}
