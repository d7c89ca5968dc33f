"""Rasa's own command-line checks, started in the background as soon as the session knows it
needs them: each takes half a minute of loading Rasa, and the e2e tests meanwhile mostly wait
on the network, so running them side by side saves that time."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from settings import PROJECT_DIR

RASA = str(Path(sys.executable).with_name("rasa"))
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
TIMEOUT_SECONDS = 600


@dataclass
class RasaRun:
    args: list[str]
    out_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="rasa-cli-")))
    process: subprocess.Popen | None = None

    def start(self) -> RasaRun:
        self.process = subprocess.Popen(
            [RASA, *self.args],
            cwd=PROJECT_DIR,
            env=ENV,
            stdout=(self.out_dir / "output.txt").open("w"),
            stderr=subprocess.STDOUT,
            text=True,
        )
        return self

    def result(self) -> tuple[int, str]:
        """The exit code and everything printed, once the command has finished."""
        if self.process is None:
            self.start()
        code = self.process.wait(timeout=TIMEOUT_SECONDS)
        return code, (self.out_dir / "output.txt").read_text(errors="replace")


def data_validation() -> RasaRun:
    return RasaRun(["data", "validate"])


def story_check() -> RasaRun:
    run = RasaRun(["test", "core", "--stories", "tests/stories"])
    run.args += [
        "--model",
        "models/bonemets.tar.gz",
        "--fail-on-prediction-errors",
        "--no-plot",
        "--out",
        str(run.out_dir),
    ]
    return run
