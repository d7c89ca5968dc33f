"""Markdown tables for the terminal and `reports/`, plus the same numbers as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

REPORTS_DIR = Path(__file__).resolve().parent.parent / "reports"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers], *[[cell(v) for v in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def cell(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def write_report(name: str, markdown: str, data: dict, directory: Path = REPORTS_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.md").write_text(markdown + "\n", encoding="utf-8")
    (directory / f"{name}.json").write_text(
        json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8"
    )
    return directory / f"{name}.md"


def publish_report(name: str, markdown: str, data: dict) -> Path:
    """Write the report to reports/ and print it, with where it was written."""
    path = write_report(name, markdown, data)
    print(markdown)
    print(f"\nWritten to {path} and {path.with_suffix('.json')}.")
    return path
