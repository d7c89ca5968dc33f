"""The warning-sign detector on its own set (`eval/warning_signs/`): recall, false alarms, speed.

The detector is screened directly, message by message, as the NLU pipeline and the gateway run
it. `test.yml` is the sealed split: misses there are counted, never listed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

from content.red_flags import load_detector
from eval.report import percent, table

SET_DIR = Path(__file__).resolve().parent / "warning_signs"
SPLITS = {"dev": SET_DIR / "dev.yml", "test": SET_DIR / "test.yml"}


def evaluate(path: Path) -> dict:
    messages = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    detector = load_detector()
    detector.screen("warm up")
    timings, missed, false_alarms = [], [], []
    for message in messages:
        began = time.perf_counter()
        alarm = detector.screen(message["q"]).alarm
        timings.append(time.perf_counter() - began)
        if message["red_flag"] and not alarm:
            missed.append(message["q"])
        if not message["red_flag"] and alarm:
            false_alarms.append(message["q"])
    alarms = sum(m["red_flag"] for m in messages)
    calm = len(messages) - alarms
    return {
        "split": path.stem,
        "warning_signs": alarms,
        "look_alikes": calm,
        "recall": round(1 - len(missed) / alarms, 3) if alarms else None,
        "false_alarm_rate": round(len(false_alarms) / calm, 3) if calm else None,
        "p50_ms": round(1000 * statistics.median(timings), 3),
        "missed": missed,
        "false_alarms": false_alarms,
    }


def render(result: dict, title: str) -> str:
    sealed = result["split"] == "test"
    parts = [
        title,
        table(
            ["measure", "value", "of"],
            [
                ["recall", percent(result["recall"]), result["warning_signs"]],
                ["false alarms", percent(result["false_alarm_rate"]), result["look_alikes"]],
                ["p50 per message", f"{result['p50_ms']} ms", ""],
            ],
        ),
    ]
    if not sealed:
        parts += [f"- missed: {q}" for q in result["missed"]]
        parts += [f"- false alarm: {q}" for q in result["false_alarms"]]
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.warning_signs", description=__doc__)
    parser.add_argument("--split", choices=sorted(SPLITS), default="dev")
    args = parser.parse_args(argv)
    print(render(evaluate(SPLITS[args.split]), f"Warning signs, {args.split} split"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
