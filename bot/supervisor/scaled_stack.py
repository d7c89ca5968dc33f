"""The assistant with several Rasa workers on given PostgreSQL and Redis servers.

Used by tests/scale and by the scaled bench (eval/bench/scaled.py).
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from bot.supervisor.datastores import Postgres, Redis
from bot.supervisor.stack import START_TIMEOUT_SECONDS, Stack, free_port

# Workers load their models side by side, sharing the cores: allow more than for one.
SCALED_START_TIMEOUT_SECONDS = 2 * START_TIMEOUT_SECONDS


def free_port_run(count: int) -> int:
    """The first of `count` consecutive free ports: the workers listen on RASA_PORT upwards."""
    for _ in range(50):
        first = free_port()
        if all(_is_free(first + n) for n in range(1, count)):
            return first
    raise RuntimeError(f"no {count} consecutive free ports found")


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def start_scaled_stack(
    var_dir: Path,
    postgres: Postgres,
    redis: Redis,
    workers: int,
    extra_env: dict[str, str] | None = None,
) -> Stack:
    """Started, and returned once every worker has its model (Stack.start waits for one)."""
    stack = Stack(
        var_dir=var_dir,
        rasa_port=free_port_run(workers),
        extra_env={
            "RASA_WORKERS": str(workers),
            "TRACKER_STORE_URL": postgres.url,
            "REDIS_URL": redis.url,
            **(extra_env or {}),
        },
    )
    began = time.monotonic()
    stack.start(timeout=SCALED_START_TIMEOUT_SECONDS)
    try:
        wait_until_every_worker_answers(
            stack, workers, SCALED_START_TIMEOUT_SECONDS - (time.monotonic() - began)
        )
    except RuntimeError:
        stack.stop()
        raise
    return stack


def wait_until_every_worker_answers(
    stack: Stack, workers: int, timeout: float = START_TIMEOUT_SECONDS
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = httpx.get(f"{stack.url}/healthz", timeout=5).json()
        # One worker's /healthz has no "workers" list: its "rasa" says it all.
        if body.get("workers", [body["rasa"]]) == ["ok"] * workers:
            return
        time.sleep(1)
    raise RuntimeError(f"not every worker came up; see {stack.log_path}")
