"""Starts the action server, Rasa and the gateway; stops all three together.

`make run` calls this after the environment, the spaCy pipeline and the model are ready.
Each child runs in its own process group, so Ctrl-C (or SIGTERM) here stops every process
they started too, and no orphan is left. If one child dies, the others are stopped as well:
a half-running assistant would answer health checks wrongly.

With RASA_WORKERS above 1 (`make run-scaled`) there is one Rasa server per worker, on
consecutive ports, sharing PostgreSQL and a Redis lock store. A worker that dies is started
again instead: the gateway sends its conversations to the others meanwhile.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from urllib.parse import unquote, urlsplit

from settings import PROJECT_DIR
from settings.bot import Settings, get_settings, postgres_dsn

STOP_GRACE_SECONDS = 10
PRIVATE_UMASK = 0o077
# A worker is started at most this often, so one that cannot start does not spin.
RESTART_INTERVAL_SECONDS = 10


def scaled_setup_problem(settings: Settings) -> str | None:
    """Why these settings cannot run several workers, or None when they can."""
    if settings.rasa_workers == 1:
        return None
    if not settings.redis_url:
        return "RASA_WORKERS above 1 needs REDIS_URL: the workers must share a lock store."
    if postgres_dsn(settings.tracker_store_url) is None:
        return "RASA_WORKERS above 1 needs a PostgreSQL TRACKER_STORE_URL, not a SQLite file."
    return None


def lock_store_environment(redis_url: str) -> dict[str, str]:
    """endpoints.scaled.yml takes the lock store's parts one by one, as Rasa's RedisLockStore."""
    if not redis_url:
        return {}
    url = urlsplit(redis_url)
    return {
        "LOCK_STORE_HOST": url.hostname or "localhost",
        "LOCK_STORE_PORT": str(url.port or 6379),
        "LOCK_STORE_DB": url.path.lstrip("/") or "0",
        "LOCK_STORE_PASSWORD": unquote(url.password or ""),
    }


GATEWAY_KEEP_ALIVE_SECONDS = 75


def worker_names(settings: Settings) -> list[str]:
    if settings.rasa_workers == 1:
        return ["rasa"]
    return [f"rasa-{n}" for n in range(1, settings.rasa_workers + 1)]


def child_environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        SANIC_HOST="127.0.0.1",  # rasa-sdk would otherwise listen on every interface
        ACTION_ENDPOINT_URL=f"{settings.action_server_url}/webhook",
        TRACKER_STORE_URL=settings.tracker_store_url,
        RASA_TOKEN=settings.rasa_token or secrets.token_urlsafe(24),
        **lock_store_environment(settings.redis_url),
    )
    return env


def commands(settings: Settings, env: dict[str, str]) -> dict[str, list[str]]:
    python = sys.executable
    # Rasa's command line with the action-reply validation fix (bot/rasa_server.py).
    rasa = [python, "-m", "bot.rasa_ext.server"]
    endpoints = "endpoints.scaled.yml" if settings.redis_url else "endpoints.yml"
    workers = {
        name: [
            *rasa,
            "run",
            "--model",
            str(settings.model_path),
            "--endpoints",
            endpoints,
            "--credentials",
            "credentials.yml",
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--enable-api",
            # One argument: a token that starts with "-" (1 in 64 generated ones) would
            # otherwise be read by argparse as an option, and Rasa would not start.
            f"--auth-token={env['RASA_TOKEN']}",
        ]
        for name, port in zip(worker_names(settings), settings.rasa_worker_ports, strict=True)
    }
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
        **workers,
        "gateway": [
            python,
            "-m",
            "uvicorn",
            "bot.gateway.main:create_app",
            "--factory",
            "--host",
            settings.gateway_host,
            "--port",
            str(settings.gateway_port),
            "--no-access-log",
            "--ws",
            "none",
            # Longer than any client's idle keep-alive (httpx 5 s, proxies often 60 s): at an
            # equal timeout the server may close a connection just as the client reuses it,
            # and that message fails (seen once in a 3-minute soak at uvicorn's default 5 s).
            "--timeout-keep-alive",
            str(GATEWAY_KEEP_ALIVE_SECONDS),
            # X-Forwarded-For is read by the gateway, from TRUSTED_PROXIES only; uvicorn would
            # otherwise believe it from 127.0.0.1, whatever the settings say.
            "--no-proxy-headers",
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
    problem = scaled_setup_problem(settings)
    if problem:
        print(problem, file=sys.stderr, flush=True)
        return 2
    # Made before the umask: `make run-scaled` keeps PostgreSQL's data under it, which runs as
    # its own user when started by root.
    (PROJECT_DIR / "var").mkdir(exist_ok=True)
    # Every file the processes create (conversations, alerts, logs) is their user's only.
    os.umask(PRIVATE_UMASK)
    env = child_environment(settings)
    to_run = commands(settings, env)
    restartable = set(worker_names(settings)) if settings.rasa_workers > 1 else set()
    children: dict[str, subprocess.Popen] = {}
    started: dict[str, float] = {}
    stopping = False

    def start(name: str) -> None:
        children[name] = subprocess.Popen(
            to_run[name], cwd=PROJECT_DIR, env=env, start_new_session=True
        )
        started[name] = time.monotonic()

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    for name in to_run:
        start(name)
    print(
        f"gateway on http://{settings.gateway_host}:{settings.gateway_port} "
        "(Rasa and actions are starting; /healthz says when they are ready). Ctrl-C stops all.",
        flush=True,
    )
    exit_code = 0
    while not stopping:
        for name, child in list(children.items()):
            if child.poll() is None:
                continue
            if name not in restartable:
                print(
                    f"{name} exited with code {child.returncode}; stopping the others.",
                    file=sys.stderr,
                    flush=True,
                )
                exit_code = 1
                stopping = True
            elif time.monotonic() - started[name] >= RESTART_INTERVAL_SECONDS:
                print(
                    f"{name} exited with code {child.returncode}; starting it again.",
                    file=sys.stderr,
                    flush=True,
                )
                start(name)
        time.sleep(0.3)
    stop_all(children)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
