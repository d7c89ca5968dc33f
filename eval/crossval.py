"""Intent F1 by `rasa test nlu` cross-validation on the training data, with the real config.

Rasa undoes FallbackClassifier predictions when it evaluates, so these numbers measure the
intent classifier itself; the held-out run measures what a patient meets, fallback included.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
_SUMMARY_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def run_cross_validation(folds: int) -> dict:
    rasa = str(Path(sys.executable).with_name("rasa"))
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bonemets-cv-") as out:
        log_path = Path(out) / "cv.log"
        with log_path.open("wb") as log:
            finished = subprocess.run(
                [rasa, "test", "nlu", "--cross-validation", "--folds", str(folds),
                 "--config", "config.yml", "--nlu", "data", "--out", out, "--no-plot"],
                cwd=PROJECT_DIR, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        if finished.returncode != 0:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"rasa test nlu failed:\n{tail}")
        report = json.loads((Path(out) / "intent_report.json").read_text(encoding="utf-8"))
    return summarise(report, folds, time.monotonic() - began)


def summarise(report: dict, folds: int, seconds: float, worst: int = 3) -> dict:
    """The averages, and the intents with the lowest F1 with what they were mistaken for."""
    intents = {k: v for k, v in report.items() if k not in _SUMMARY_KEYS}
    ranked = sorted(intents.items(), key=lambda item: (item[1]["f1-score"], item[0]))
    return {
        "folds": folds,
        "seconds": round(seconds),
        "accuracy": round(report["accuracy"], 3),
        "macro_f1": round(report["macro avg"]["f1-score"], 3),
        "weighted_f1": round(report["weighted avg"]["f1-score"], 3),
        "intents": len(intents),
        "worst": [
            {
                "intent": name,
                "f1": round(stats["f1-score"], 3),
                "support": stats["support"],
                "confused_with": dict(
                    sorted(stats.get("confused_with", {}).items(), key=lambda c: -c[1])
                ),
            }
            for name, stats in ranked[:worst]
        ],
    }
