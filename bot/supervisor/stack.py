"""The real assistant, started the way `make run` starts it, on ports of the test's own.

Used by the end-to-end tests: Rasa with the trained model, the action server and the gateway,
all three as separate processes managed by `python -m bot.supervisor.run`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.gateway.forget import DELETED_PAYLOAD
from bot.gateway.tokens import TOKEN_HEADER
from settings import PROJECT_DIR

START_TIMEOUT_SECONDS = 240
# A busy gateway is asked again, as the widget does, this many times in all.
BUSY_RETRIES = 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Stack:
    """One running assistant; `stop()` and `start()` again keep the same conversation store."""

    var_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    gateway_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    # Where the log of the latest start begins and where it was when /healthz first said 200.
    startup_log: tuple[int, int] = (0, 0)
    # Each conversation's token, kept as the widget keeps it (bot/gateway/tokens.py).
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def tracker_db(self) -> Path:
        return self.var_dir / "tracker.db"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            GATEWAY_PORT=str(self.gateway_port),
            RASA_PORT=str(self.rasa_port),
            ACTION_PORT=str(self.action_port),
            TRACKER_STORE_URL=f"sqlite:///{self.tracker_db}",
            RATE_LIMIT_PER_MINUTE="1000",
            # Every test and evaluation conversation comes from this one address.
            RATE_LIMIT_PER_ADDRESS_PER_MINUTE="100000",
            NURSE_ALERTS_PER_HOUR_PER_ADDRESS="100000",
            NURSE_ALERTS_PER_HOUR="100000",
        )
        env.update(self.extra_env)  # may replace any of the above, e.g. the tracker store
        return env

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> float:
        """Starts all processes; returns seconds until /healthz answered 200."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.var_dir / "stack.log"
        log = self.log_path.open("ab")
        log_start = log.tell()
        began = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.supervisor.run"],
            cwd=PROJECT_DIR,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        while time.monotonic() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"the stack exited early; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    self.startup_log = (log_start, self.log_path.stat().st_size)
                    return time.monotonic() - began
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"/healthz did not answer 200 in time; see {self.log_path}")

    def stop(self) -> None:
        """Like Ctrl-C in `make run`."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def log_since(self, offset: int, end: int | None = None) -> str:
        """What every process wrote to the log from `offset` (a size of the log) on."""
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read(None if end is None else end - offset).decode(errors="replace")

    def conversation_headers(self, sender: str) -> dict[str, str]:
        return {TOKEN_HEADER: self.tokens[sender]} if sender in self.tokens else {}

    def say(self, sender: str, message: str, idempotency_key: str | None = None) -> list[dict]:
        """One message, as the widget sends it: with the conversation's token once it has one,
        and sent again after the Retry-After of a busy answer (bot/gateway/admission.py), which
        Rasa never saw, so sending it again cannot act twice."""
        headers = self.conversation_headers(sender)
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        for _ in range(BUSY_RETRIES):
            response = httpx.post(
                f"{self.url}/webhooks/rest/webhook",
                json={"sender": sender, "message": message},
                headers=headers,
                timeout=30,
            )
            if not is_busy(response):
                break
            time.sleep(float(response.headers["Retry-After"]))
        response.raise_for_status()
        replies = response.json()
        keep_token(self.tokens, sender, response, replies)
        return replies

    def forget(self, sender: str) -> httpx.Response:
        """The widget's "End chat": deletes the conversation on the server."""
        response = httpx.delete(
            f"{self.url}/conversations/{sender}",
            headers=self.conversation_headers(sender),
            timeout=30,
        )
        if response.status_code == 200:
            self.tokens.pop(sender, None)
        return response


def is_busy(response: httpx.Response) -> bool:
    """The gateway's "busy, try again in N s" (a 503 with Retry-After and the code busy)."""
    if response.status_code != 503 or "Retry-After" not in response.headers:
        return False
    try:
        return response.json().get("error") == "busy"
    except ValueError:
        return False


def keep_token(
    tokens: dict[str, str], sender: str, response: httpx.Response, replies: list[dict]
) -> None:
    """As the widget does: keeps the token a first reply gives, and forgets it when the
    conversation was deleted ("forget me"), so the next message starts a new one."""
    if TOKEN_HEADER in response.headers:
        tokens[sender] = response.headers[TOKEN_HEADER]
    if any(DELETED_PAYLOAD in (reply.get("custom") or {}) for reply in replies):
        tokens.pop(sender, None)


def texts(replies: list[dict]) -> str:
    return "\n".join(r["text"] for r in replies if "text" in r)
