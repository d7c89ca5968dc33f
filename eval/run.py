"""`make eval`: held-out accuracy, cross-validated intent F1, answer readability, red-flag rates.

Prints one report and writes it to `reports/eval.md` and `reports/eval.json`.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import httpx

from content.schema import load_content
from eval.crossval import run_cross_validation
from eval.heldout import HELDOUT_DIR, Case, load_heldout
from eval.report import percent, publish_report, table
from eval.scoring import (
    CaseResult,
    accuracy,
    intent_accuracy,
    judge_turn,
    readability,
    red_flag_rates,
)
from eval.target import Assistant, assistant_for
from settings.bot import get_settings


def ask_all(assistant: Assistant, heldout: dict[str, list[Case]]) -> list[CaseResult]:
    """Each case is a new conversation: a sender of its own, its turns in order."""
    results = []
    for category, cases in heldout.items():
        for case in cases:
            sender = f"eval-{uuid.uuid4().hex[:12]}"
            turns = [
                judge_turn(turn, assistant.intent(turn.q), assistant.answer(sender, turn.q))
                for turn in case.turns
            ]
            results.append(CaseResult(category, turns))
    return results


def answer_bubbles(results: list[CaseResult]) -> list[str]:
    """Every message the bot sent, one by one.

    A turn's answer is its bubbles joined by newlines. Each bubble is read on its own, and the
    welcome that opens every new conversation is a bubble of its own, not part of the answer.
    """
    return [bubble for r in results for t in r.turns for bubble in t.answer.split("\n")]


def render(report: dict) -> str:
    held = report["heldout"]
    parts = [
        "# Evaluation",
        f"{report['finished']}, against {report['target']}.",
        "## Held-out questions",
        table(
            ["category", "passed", "cases", "accuracy"],
            [
                [name, c["passed"], c["total"], percent(c["accuracy"])]
                for name, c in [*held["by_category"].items(), ("overall", held["overall"])]
            ],
        ),
        f"Intent right on {percent(held['intent_accuracy'])} of all questions "
        f"(multi-turn ones included; {held['seconds']} s to ask them). A case passes when "
        "every turn has the right intent and the expected words.",
        "## Red flags",
        _red_flags(report["red_flags"]),
        "## Patient answers",
        _readability(report["readability"]),
    ]
    if report["cross_validation"]:
        parts += ["## Intent cross-validation", _cross_validation(report["cross_validation"])]
    failures = [
        [
            r["category"],
            t["q"],
            t["intent"],
            t["predicted"],
            ", ".join(t["missing"] + t["unwanted"]),
        ]
        for r in report["cases"]
        for t in r["turns"]
        if not t["passed"]
    ]
    if failures:
        parts += [
            "## Failed questions",
            table(
                ["category", "question", "intent", "predicted", "words missing/unwanted"], failures
            ),
        ]
    return "\n\n".join(parts)


def _red_flags(rates: dict) -> str:
    lines = [
        table(
            ["measure", "value", "of"],
            [
                ["red-flag recall", percent(rates["recall"]), rates["red_flags"]],
                ["false-alarm rate", percent(rates["false_alarm_rate"]), rates["non_red_flags"]],
            ],
        ),
        "An alarm is an answer that gives 911 or 988; questions counted are those marked "
        "`red_flag: true` or `false` in the held-out files.",
    ]
    listed = [f"- missed: {q}" for q in rates["missed"]]
    listed += [f"- raised wrongly: {q}" for q in rates["raised_wrongly"]]
    if listed:
        lines.append("\n".join(listed))
    return "\n\n".join(lines)


def _readability(stats: dict) -> str:
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
                    "grade 6 or lower",
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
            "Flesch-Kincaid grade by textstat 0.7.3 on the answer texts with respellings "
            "stripped. Hardest: "
            + "; ".join(f"{h['grade']}: {h['answer'][:80]}" for h in stats["hardest"]),
        ]
    )


def _cross_validation(cv: dict) -> str:
    return "\n\n".join(
        [
            f"`rasa test nlu`, {cv['folds']} folds, {cv['intents']} intents, {cv['seconds']} s.",
            table(
                ["accuracy", "macro F1", "weighted F1"],
                [[cv["accuracy"], cv["macro_f1"], cv["weighted_f1"]]],
            ),
            "Lowest F1:",
            table(
                ["intent", "F1", "examples", "mistaken for"],
                [
                    [
                        w["intent"],
                        w["f1"],
                        w["support"],
                        ", ".join(f"{k} ({v})" for k, v in w["confused_with"].items()) or "-",
                    ]
                    for w in cv["worst"]
                ],
            ),
        ]
    )


def evaluate(heldout_dir: Path, folds: int) -> dict:
    heldout = load_heldout(heldout_dir)
    began = time.monotonic()
    with assistant_for(get_settings()) as assistant:
        results = ask_all(assistant, heldout)
        target = assistant.target.how
    asked_seconds = round(time.monotonic() - began)
    held = accuracy(results) | {"intent_accuracy": intent_accuracy(results)}
    return {
        "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "target": target,
        "heldout": held | {"seconds": asked_seconds},
        "red_flags": red_flag_rates(results),
        "readability": readability(answer_bubbles(results), load_content()),
        # After the held-out run, so a stack started for it is stopped and the CPU is free.
        "cross_validation": run_cross_validation(folds) if folds else None,
        "cases": [r.as_dict() for r in results],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.run", description=__doc__)
    parser.add_argument("--folds", type=int, default=3, help="cross-validation folds; 0 skips")
    parser.add_argument("--heldout", type=Path, default=HELDOUT_DIR, help="held-out YAML folder")
    args = parser.parse_args(argv)
    try:
        report = evaluate(args.heldout, args.folds)
    except httpx.HTTPError as error:
        print(f"The evaluation stopped: the assistant did not answer ({error}).", file=sys.stderr)
        return 1
    markdown = render(report)
    publish_report("eval", markdown, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
