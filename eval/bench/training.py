"""Time to train the model from scratch: an empty cache and a new output folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
MODEL_NAME = "bench"


def train_from_scratch(out_dir: Path) -> tuple[Path, float]:
    """Trains into `out_dir`; returns the model file and the seconds it took.

    Rasa reuses trained components from its cache, so an empty cache of our own makes sure
    nothing is reused; the project's model and cache are left alone.
    """
    rasa = str(Path(sys.executable).with_name("rasa"))
    env = dict(os.environ, RASA_CACHE_DIRECTORY=str(out_dir / "cache"))
    log_path = out_dir / "train.log"
    began = time.monotonic()
    with log_path.open("wb") as log:
        finished = subprocess.run(
            [rasa, "train", "--out", str(out_dir), "--fixed-model-name", MODEL_NAME],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    seconds = time.monotonic() - began
    if finished.returncode != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"training failed:\n{tail}")
    return out_dir / f"{MODEL_NAME}.tar.gz", seconds
