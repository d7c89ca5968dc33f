"""The red-flag detector on the warning-sign set: recall, false alarms, and time per message.

The set is in `eval/warning_signs/` (format in its README): messages that must raise the alarm,
each with the sign it shows, and look-alikes that must not, each with its kind. The detector is
called directly, as the NLU component and the gateway call it, so this runs in a second and
needs no server. `test.yml` is the sealed split: its errors are counted, never listed.

    .venv/bin/python -m eval.warning_signs --split dev
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path

import yaml
from pydantic import BaseModel, Extra, root_validator

from content.red_flags import RED_FLAGS_FILE, load_detector
from eval.report import percent, table

WARNING_SIGNS_DIR = Path(__file__).resolve().parent / "warning_signs"
SPLITS = {"dev": WARNING_SIGNS_DIR / "dev.yml", "test": WARNING_SIGNS_DIR / "test.yml"}
SEALED = {"test"}


class Message(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False

    q: str
    red_flag: bool
    # The category a warning sign belongs to, or the kind of look-alike.
    sign: str | None = None
    kind: str | None = None

    @root_validator(skip_on_failure=True)
    def labelled_by_what_it_is(cls, values: dict) -> dict:
        if values["red_flag"] and not values["sign"]:
            raise ValueError(f"a warning sign needs its sign: {values['q']!r}")
        if not values["red_flag"] and not values["kind"]:
            raise ValueError(f"a look-alike needs its kind: {values['q']!r}")
        return values


def load_split(path: Path) -> list[Message]:
    with path.open(encoding="utf-8") as handle:
        return [Message(**m) for m in yaml.safe_load(handle)["messages"]]


def evaluate(path: Path, rules_file: Path = RED_FLAGS_FILE) -> dict:
    """Screen every message of a split file; return the rates, the timing and every error."""
    detector = load_detector(rules_file)
    messages = load_split(path)
    seconds, misses, false_alarms = [], [], []
    caught, signs = Counter(), Counter()
    alarmed, kinds = Counter(), Counter()
    for message in messages:
        started = time.perf_counter()
        screening = detector.screen(message.q)
        seconds.append(time.perf_counter() - started)
        if message.red_flag:
            signs[message.sign] += 1
            caught[message.sign] += screening.alarm
            if not screening.alarm:
                misses.append({"q": message.q, "sign": message.sign})
        else:
            kinds[message.kind] += 1
            alarmed[message.kind] += screening.alarm
            if screening.alarm:
                false_alarms.append(
                    {"q": message.q, "kind": message.kind, "signs": screening.signs}
                )
    warning_signs, look_alikes = sum(signs.values()), sum(kinds.values())
    milliseconds = sorted(1000 * s for s in seconds)
    return {
        "split": path.stem,
        "warning_signs": warning_signs,
        "look_alikes": look_alikes,
        "recall": _rate(warning_signs - len(misses), warning_signs),
        "false_alarm_rate": _rate(len(false_alarms), look_alikes),
        "recall_by_sign": {s: _rate(caught[s], n) for s, n in sorted(signs.items())},
        "signs": dict(sorted(signs.items())),
        "false_alarms_by_kind": {k: _rate(alarmed[k], n) for k, n in sorted(kinds.items())},
        "kinds": dict(sorted(kinds.items())),
        "p50_ms": statistics.median(milliseconds) if milliseconds else None,
        "p95_ms": milliseconds[int(0.95 * (len(milliseconds) - 1))] if milliseconds else None,
        "misses": misses,
        "false_alarms": false_alarms,
    }


def _rate(count: int, total: int) -> float | None:
    return count / total if total else None


def render(result: dict, title: str = "### Warning signs") -> str:
    """The result as a markdown fragment: the headline, then per sign and kind, then errors
    (not for the sealed split)."""
    lines = [
        f"{title} ({result['split']}: {result['warning_signs']} warning signs, "
        f"{result['look_alikes']} look-alikes)",
        "",
        table(
            ["recall", "false alarms", "p50 ms", "p95 ms"],
            [
                [
                    percent(result["recall"]),
                    percent(result["false_alarm_rate"]),
                    result["p50_ms"],
                    result["p95_ms"],
                ]
            ],
        ),
        "",
        table(
            ["sign", "messages", "recall"],
            [[s, result["signs"][s], percent(r)] for s, r in result["recall_by_sign"].items()],
        ),
        "",
        table(
            ["look-alike", "messages", "false alarms"],
            [
                [k, result["kinds"][k], percent(r)]
                for k, r in result["false_alarms_by_kind"].items()
            ],
        ),
    ]
    if result["split"] in SEALED:
        errors = len(result["misses"]) + len(result["false_alarms"])
        return "\n".join([*lines, "", f"{errors} errors (not listed: this split stays sealed)."])
    if result["misses"]:
        lines += ["", "Missed:", *(f"- ({m['sign']}) {m['q']}" for m in result["misses"])]
    if result["false_alarms"]:
        lines += [
            "",
            "False alarms:",
            *(f"- ({f['kind']}; {', '.join(f['signs'])}) {f['q']}" for f in result["false_alarms"]),
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", help="file name in eval/warning_signs/")
    args = parser.parse_args(argv)
    print(render(evaluate(WARNING_SIGNS_DIR / f"{args.split}.yml")))


if __name__ == "__main__":
    main()
