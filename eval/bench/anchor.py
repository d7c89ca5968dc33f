"""Rasa's own sample bot, the yardstick: what a turn costs in Rasa itself on this machine.

`rasa init --no-prompt` writes the sample project (default pipeline, no custom actions) into a
temporary folder and trains it; `rasa run` then serves it on a free port. Measured beside the
project's Rasa in the same run, a ratio to it says what the project adds, whatever the machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bot.supervisor.stack import free_port

START_TIMEOUT_SECONDS = 300


def _rasa() -> str:
    return str(Path(sys.executable).with_name("rasa"))


def _env() -> dict[str, str]:
    return dict(os.environ, RASA_TELEMETRY_ENABLED="false")


def init_sample_bot(folder: Path) -> float:
    """Writes and trains the sample bot in `folder`; returns the seconds it took."""
    folder.mkdir(parents=True, exist_ok=True)
    log_path = folder / "init.log"
    began = time.monotonic()
    with log_path.open("wb") as log:
        finished = subprocess.run(
            [_rasa(), "init", "--no-prompt", "--init-dir", str(folder)],
            cwd=folder,
            env=_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    if finished.returncode != 0 or not list((folder / "models").glob("*.tar.gz")):
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"rasa init failed:\n{tail}")
    return time.monotonic() - began


@contextmanager
def serve_sample_bot(folder: Path) -> Iterator[str]:
    """The trained sample bot on a free loopback port; yields its REST webhook URL."""
    port = free_port()
    log = (folder / "run.log").open("ab")
    process = subprocess.Popen(
        [
            *(_rasa(), "run", "--model", "models", "--enable-api"),
            *("--interface", "127.0.0.1", "--port", str(port)),
        ],
        cwd=folder,
        env=_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_for_model(f"http://127.0.0.1:{port}", process)
        yield f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _wait_for_model(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the sample bot exited early; see run.log in its folder")
        try:
            if httpx.get(f"{url}/status", timeout=2).json().get("model_file"):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError("the sample bot did not load its model in time")
