"""`make review-export`: reviewed questions become training data that `make run` retrains from.

Writes two files side by side (by default in `data/nlu/`):

- `reviewed.reviewers.yml`, the record: each reviewed question's text, the decision, who made
  it and on which day. Decisions already there are kept (the queue forgets questions after
  their retention; the record does not); a later decision on the same text replaces an earlier
  one, and a discard removes it.
- `reviewed.yml`, Rasa training data made from that record: each question as an example of its
  intent. A question marked "not on the page" becomes an example of `ask_not_on_page` with its
  topic in the example block's metadata; the question reader learns from it to give the honest
  "the page I use doesn't say ..." for that topic (`pipeline/question_reader.py`). It never adds
  an answer: what the assistant says still comes only from `content/`.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine

from bot.insights.recorder import today
from bot.insights.review import ReviewQueue
from settings import PROJECT_DIR
from settings.bot import get_settings

DEFAULT_OUT = PROJECT_DIR / "data" / "nlu" / "reviewed.yml"
RECORD_SUFFIX = ".reviewers.yml"
NOT_ON_PAGE_INTENT = "ask_not_on_page"
HEADER = """\
# Questions patients asked, reviewed by clinic staff on /staff. Written by `make review-export`
# from {record} (who reviewed each one, and when): review again rather than edit here.
"""


@dataclass(frozen=True)
class Reviewed:
    text: str
    intent: str
    subject: str | None  # "test:bone_scan", "term:lytic"
    topic: str | None  # for ask_not_on_page: what the page does not say
    reviewer: str
    reviewed_on: date


def example_text(text: str) -> str:
    """One line that Rasa reads as plain text: square brackets would start entity markup."""
    return " ".join(text.replace("[", "(").replace("]", ")").split())


def from_queue(item: dict[str, Any]) -> Reviewed | None:
    decision = item["decision"]
    if item["status"] == "discarded":
        return None
    subject = decision["subject"]
    return Reviewed(
        text=example_text(item["text"]),
        intent=NOT_ON_PAGE_INTENT if item["status"] == "not_on_page" else decision["intent"],
        subject=f"{subject['kind']}:{subject['id']}" if subject else None,
        topic=decision["topic"],
        reviewer=decision["reviewer"],
        reviewed_on=date.fromisoformat(decision["reviewed_on"]),
    )


def read_record(path: Path) -> dict[str, Reviewed]:
    if not path.exists():
        return {}
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("reviewed") or []
    return {entry["text"]: Reviewed(**entry) for entry in entries}


def merged(record: dict[str, Reviewed], decided: list[dict[str, Any]]) -> dict[str, Reviewed]:
    """The record with the queue's decisions applied, oldest first, so the latest one wins."""
    result = dict(record)
    for item in sorted(decided, key=lambda i: (i["decision"]["reviewed_on"], i["id"])):
        text = example_text(item["text"])
        if (
            record.get(text)
            and record[text].reviewed_on.isoformat() > item["decision"]["reviewed_on"]
        ):
            continue
        reviewed = from_queue(item)
        if reviewed is None:
            result.pop(text, None)
        else:
            result[text] = reviewed
    return result


def training_data(record: dict[str, Reviewed], record_name: str) -> str:
    blocks: dict[tuple[str, str | None], list[str]] = {}
    for reviewed in sorted(record.values(), key=lambda r: (r.intent, r.topic or "", r.text)):
        blocks.setdefault((reviewed.intent, reviewed.topic), []).append(reviewed.text)
    nlu = []
    for (intent, topic), texts in blocks.items():
        block: dict[str, Any] = {"intent": intent}
        if intent == NOT_ON_PAGE_INTENT:
            block["metadata"] = {"topic": topic}
        block["examples"] = "".join(f"- {text}\n" for text in texts)
        nlu.append(block)
    body = yaml.dump(
        {"version": "3.1", "nlu": nlu}, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True
    )
    return HEADER.format(record=record_name) + body


def record_file(record: dict[str, Reviewed]) -> str:
    entries = [
        {**asdict(r), "reviewed_on": r.reviewed_on}
        for r in sorted(record.values(), key=lambda r: (r.reviewed_on, r.text))
    ]
    header = "# Who reviewed each question in reviewed.yml, and when (`make review-export`).\n"
    return header + yaml.safe_dump({"reviewed": entries}, sort_keys=False, allow_unicode=True)


class _LiteralDumper(yaml.SafeDumper):
    """Writes each intent's examples as a `|` block, as Rasa's own files have them."""


_LiteralDumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    ),
)


def export(out: Path, queue: ReviewQueue, on: date) -> tuple[int, int]:
    """Writes both files; returns (examples in total, decisions taken from the queue)."""
    record_path = out.with_name(out.name.removesuffix(".yml") + RECORD_SUFFIX)
    decided = queue.questions(on, status="reviewed")
    record = merged(read_record(record_path), decided)
    out.parent.mkdir(parents=True, exist_ok=True)
    record_path.write_text(record_file(record), encoding="utf-8")
    out.write_text(training_data(record, record_path.name), encoding="utf-8")
    return len(record), len(decided)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the training data file")
    args = parser.parse_args(argv)
    settings = get_settings()
    engine = create_engine(settings.tracker_store_url)
    try:
        total, decided = export(
            args.out, ReviewQueue(engine, settings.review_retention_days), today()
        )
    finally:
        engine.dispose()
    shown = re.sub(rf"^{re.escape(str(PROJECT_DIR))}/", "", str(args.out))
    print(f"{shown}: {total} reviewed examples ({decided} decisions in the review queue).")
    print("`make run` retrains the assistant with them.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
