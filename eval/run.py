"""`make eval`: how the assistant does on the question sets, beside a search box over the page.

Every case is a new conversation through the gateway, as a patient meets it. For each set it
prints the share of cases passed per category, with a BM25 search box over the same page on the
same questions beside it; then red-flag rates, the warning-sign detector on its own set, and how
readable the answers are. Written to `reports/eval.md` and `reports/eval.json` too.

`realistic-test` and `warning_signs/test.yml` are the sealed test splits: their failures are
counted, never listed, so reading the report does not turn them into development data.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import datetime, timezone

import httpx

from content.schema import load_content
from eval import warning_signs
from eval.cases import SETS, Case, load_cases
from eval.report import percent, publish_report, table
from eval.scoring import CaseResult, accuracy, judge_turn, readability, red_flag_rates
from eval.search_box import search_all
from eval.target import Assistant, assistant_for
from settings.bot import get_settings

SEALED = {"realistic-test"}
DEFAULT_SETS = ("realistic-test", "realistic-dev", "short")


def ask_all(assistant: Assistant, cases: dict[str, list[Case]]) -> list[CaseResult]:
    """Each case is a new conversation: a sender of its own, its turns in order."""
    results = []
    for category, group in cases.items():
        for case in group:
            sender = f"eval-{uuid.uuid4().hex[:12]}"
            turns = [
                judge_turn(turn, assistant.answer(sender, turn.q), assistant.intent(turn.q))
                for turn in case.turns
            ]
            results.append(CaseResult(category, turns))
    return results


def evaluate_set(assistant: Assistant, name: str) -> dict:
    cases = load_cases(SETS[name])
    began = time.monotonic()
    results = ask_all(assistant, cases)
    return {
        "name": name,
        "sealed": name in SEALED,
        "seconds": round(time.monotonic() - began),
        "questions": sum(len(c.turns) for r in cases.values() for c in r),
        "assistant": accuracy(results),
        "search_box": accuracy(search_all(cases)),
        "red_flags": red_flag_rates(results),
        "cases": [r.as_dict() for r in results],
    }


def render_set(result: dict) -> str:
    ours, box = result["assistant"], result["search_box"]
    rows = [
        [
            category,
            percent(ours["by_category"][category]["accuracy"]),
            percent(box["by_category"][category]["accuracy"]),
            ours["by_category"][category]["total"],
        ]
        for category in ours["by_category"]
    ]
    rows.append(
        [
            "**overall**",
            percent(ours["overall"]["accuracy"]),
            percent(box["overall"]["accuracy"]),
            ours["overall"]["total"],
        ]
    )
    flags = result["red_flags"]
    parts = [
        f"## {result['name']}" + (" (sealed test split)" if result["sealed"] else ""),
        table(["category", "assistant", "search box", "cases"], rows),
        f"{result['questions']} questions in {result['seconds']} s. Red flags: recall "
        f"{percent(flags['recall'])} of {flags['red_flags']}, false alarms "
        f"{percent(flags['false_alarm_rate'])} of {flags['non_red_flags']}.",
    ]
    failed = [t for case in result["cases"] for t in case["turns"] if not t["passed"]]
    if failed and not result["sealed"]:
        parts.append(
            table(
                ["category", "question", "wanted", "intent", "missing/unwanted", "answer"],
                [
                    [
                        case["category"],
                        t["q"][:90],
                        t["behaviour"],
                        t["intent"],
                        ", ".join(t["missing"] + t["unwanted"]),
                        t["answer"][:140],
                    ]
                    for case in result["cases"]
                    for t in case["turns"]
                    if not t["passed"]
                ],
            )
        )
    elif failed:
        parts.append(f"{len(failed)} questions failed (not listed: this split stays sealed).")
    return "\n\n".join(parts)


def answers_of(sets: list[dict]) -> list[str]:
    """Every bubble the assistant sent, one by one, for readability."""
    return [
        bubble
        for result in sets
        for case in result["cases"]
        for turn in case["turns"]
        for bubble in turn["answer"].split("\n")
    ]


def render_readability(stats: dict) -> str:
    if not stats["answers"]:
        return "No answers to score."
    return "\n\n".join(
        [
            table(
                [
                    "distinct answers",
                    "median words",
                    "under 60 words",
                    "median FK grade",
                    "grade ≤ 6",
                ],
                [
                    [
                        stats["answers"],
                        stats["median_words"],
                        percent(stats["share_under_60_words"]),
                        stats["median_grade"],
                        percent(stats["share_grade_6_or_lower"]),
                    ]
                ],
            ),
            "Flesch-Kincaid grade by textstat 0.7.3, per bubble, respellings stripped. Hardest: "
            + "; ".join(f"{h['grade']}: {h['answer'][:80]}" for h in stats["hardest"]),
        ]
    )


def evaluate(set_names: list[str], warning_splits: list[str]) -> dict:
    # First, with no server running: the detector's time per message is its own, not its
    # share of a machine where three servers are starting or stopping.
    screened = {
        split: warning_signs.evaluate(warning_signs.SPLITS[split]) for split in warning_splits
    }
    with assistant_for(get_settings()) as assistant:
        sets = [evaluate_set(assistant, name) for name in set_names]
        target = assistant.target.how
    return {
        "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "target": target,
        "sets": sets,
        "warning_signs": screened,
        "readability": readability(answers_of(sets), load_content()),
    }


def render(report: dict) -> str:
    parts = [
        "# Evaluation",
        f"{report['finished']}, against {report['target']}. A case passes when every turn does "
        "what it should (answer with the expected words, say honestly that the page does not "
        "say, decline, or raise the alarm) and only red flags raise the alarm. The search box is "
        "BM25 over the source page's paragraphs (eval/search_box.py).",
        *[render_set(result) for result in report["sets"]],
    ]
    for result in report["warning_signs"].values():
        parts.append(warning_signs.render(result, title="## Warning signs"))
    parts += ["## Patient answers", render_readability(report["readability"])]
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.run", description=__doc__)
    parser.add_argument(
        "--sets",
        default=",".join(DEFAULT_SETS),
        help=f"comma-separated, of: {', '.join(SETS)}",
    )
    parser.add_argument(
        "--warning-signs",
        default="test,dev",
        help="warning-sign splits to screen (test, dev), or none",
    )
    args = parser.parse_args(argv)
    names = [n for n in args.sets.split(",") if n]
    unknown = [n for n in names if n not in SETS]
    if unknown:
        parser.error(f"unknown sets: {', '.join(unknown)}")
    splits = [] if args.warning_signs == "none" else args.warning_signs.split(",")
    try:
        report = evaluate(names, splits)
    except httpx.HTTPError as error:
        print(f"The evaluation stopped: the assistant did not answer ({error}).", file=sys.stderr)
        return 1
    publish_report("eval", render(report), report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
