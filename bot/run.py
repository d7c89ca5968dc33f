"""Starts the action server, Rasa and the gateway; stops all three together.

`make run` calls this after the environment, the spaCy pipeline and the model are ready.
Each child runs in its own process group, so Ctrl-C (or SIGTERM) here stops every process
they started too, and no orphan is left. If one child dies, the others are stopped as well:
a half-running assistant would answer health checks wrongly.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.settings import PROJECT_DIR, Settings, get_settings

STOP_GRACE_SECONDS = 10


def child_environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        SANIC_HOST="127.0.0.1",  # rasa-sdk would otherwise listen on every interface
        ACTION_ENDPOINT_URL=f"{settings.action_server_url}/webhook",
        TRACKER_STORE_URL=settings.tracker_store_url,
        RASA_TOKEN=settings.rasa_token or secrets.token_urlsafe(24),
    )
    return env


def commands(settings: Settings, env: dict[str, str]) -> dict[str, list[str]]:
    python = sys.executable
    rasa = str(Path(python).with_name("rasa"))
    return {
        "actions": [
            python,
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(settings.action_port),
        ],
        "rasa": [
            rasa,
            "run",
            "--model",
            str(settings.model_path),
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
            "--interface",
            "127.0.0.1",
            "--port",
            str(settings.rasa_port),
            "--enable-api",
            "--auth-token",
            env["RASA_TOKEN"],
        ],
        "gateway": [
            python,
            "-m",
            "uvicorn",
            "bot.main:create_app",
            "--factory",
            "--host",
            settings.gateway_host,
            "--port",
            str(settings.gateway_port),
            "--no-access-log",
            "--ws",
            "none",
        ],  # websockets is pinned old by Rasa
    }


def stop_all(children: dict[str, subprocess.Popen]) -> None:
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def main() -> int:
    settings = get_settings()
    (PROJECT_DIR / "var").mkdir(exist_ok=True)
    env = child_environment(settings)
    children: dict[str, subprocess.Popen] = {}
    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    for name, command in commands(settings, env).items():
        children[name] = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, start_new_session=True)
    print(
        f"gateway on http://{settings.gateway_host}:{settings.gateway_port} "
        "(Rasa and actions are starting; /healthz says when they are ready). Ctrl-C stops all.",
        flush=True,
    )
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(
                    f"{name} exited with code {child.returncode}; stopping the others.",
                    file=sys.stderr,
                    flush=True,
                )
                exit_code = 1
                stopping = True
        time.sleep(0.3)
    stop_all(children)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
