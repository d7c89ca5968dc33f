"""The assistant under evaluation: the servers already running, or a stack started for the run.

Answers come from the gateway, as a patient gets them. The predicted intent comes from Rasa's
`/model/parse` (same model, and Rasa's NLU does not depend on the conversation), which needs the
HTTP API token: running servers are used only when `RASA_TOKEN` is set and Rasa accepts it.
"""

from __future__ import annotations

import re
import secrets
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import httpx
import yaml

from bot.gateway.tokens import TOKEN_HEADER
from bot.supervisor.stack import Stack, keep_token, texts
from settings import PROJECT_DIR
from settings.bot import Settings

# More than the tests allow: on a busy 2-core machine loading TensorFlow and the model can take
# several minutes, and a report is worth the wait.
START_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class Target:
    gateway_url: str
    rasa_url: str
    token: str
    how: str  # says which servers answered, for the report


class Assistant:
    """Asks the gateway for answers and Rasa for the intent it predicts."""

    def __init__(self, target: Target, timeout: float = 30.0) -> None:
        self.target = target
        self._http = httpx.Client(timeout=timeout)
        # Each conversation's token, sent back with its later messages as the widget does.
        self._tokens: dict[str, str] = {}

    def close(self) -> None:
        self._http.close()

    def answer(self, sender: str, question: str) -> str:
        """The reply's bubbles joined by newlines, without the welcome that may open a
        conversation: the answer is judged on its own."""
        token = self._tokens.get(sender)
        response = self._http.post(
            f"{self.target.gateway_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": question},
            headers={TOKEN_HEADER: token} if token else {},
        )
        response.raise_for_status()
        replies = response.json()
        keep_token(self._tokens, sender, response, replies)
        answer = [r for r in replies if not is_welcome(r)]
        # To a hello the welcome is the answer; before a first answer it is not.
        return texts(answer if texts(answer).strip() else replies)

    def intent(self, question: str) -> str | None:
        response = self._http.post(
            f"{self.target.rasa_url}/model/parse",
            params={"token": self.target.token},
            json={"text": question},
        )
        response.raise_for_status()
        return (response.json().get("intent") or {}).get("name")


def is_welcome(reply: dict) -> bool:
    """Whether a reply is the welcome (domain.yml's `utter_welcome`, any clinic phone)."""
    return bool(welcome_pattern().fullmatch(reply.get("text") or ""))


@lru_cache(maxsize=1)
def welcome_pattern() -> re.Pattern:
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text(encoding="utf-8"))
    template = domain["responses"]["utter_welcome"][0]["text"]
    return re.compile(".+".join(re.escape(part) for part in re.split(r"\{\w+\}", template)))


def running_target(settings: Settings) -> tuple[Target | None, str]:
    """The servers at the configured ports if usable, else None and the reason."""
    gateway = f"http://127.0.0.1:{settings.gateway_port}"
    try:
        healthy = httpx.get(f"{gateway}/healthz", timeout=3).status_code == 200
    except httpx.HTTPError:
        healthy = False
    if not healthy:
        return None, f"no healthy gateway at {gateway}"
    if not settings.rasa_token:
        return None, "the running servers' Rasa token is unknown (RASA_TOKEN is not set)"
    try:
        status = httpx.get(
            f"{settings.rasa_url}/status", params={"token": settings.rasa_token}, timeout=3
        ).status_code
    except httpx.HTTPError:
        status = None
    if status != 200:
        return None, f"Rasa at {settings.rasa_url} did not accept RASA_TOKEN"
    how = f"running servers (gateway {gateway}, Rasa {settings.rasa_url})"
    return Target(gateway, settings.rasa_url, settings.rasa_token, how), ""


def start(stack: Stack) -> float:
    """Starts the stack; on failure shows the end of its log (in a folder about to be removed)."""
    try:
        return stack.start(timeout=START_TIMEOUT_SECONDS)
    except RuntimeError:
        if stack.log_path:
            print(stack.log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise


@contextmanager
def own_stack() -> Iterator[Target]:
    """A whole assistant on free ports with its own token and conversation store, then stopped."""
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="bonemets-eval-") as var_dir:
        stack = Stack(var_dir=Path(var_dir), extra_env={"RASA_TOKEN": token})
        start(stack)
        try:
            rasa_url = f"http://127.0.0.1:{stack.rasa_port}"
            yield Target(stack.url, rasa_url, token, f"a stack started for this run ({stack.url})")
        finally:
            stack.stop()


@contextmanager
def assistant_for(settings: Settings) -> Iterator[Assistant]:
    with ExitStack() as cleanup:
        target, why_not = running_target(settings)
        if target is None:
            print(f"Starting a stack for the evaluation: {why_not}.", flush=True)
            target = cleanup.enter_context(own_stack())
        assistant = Assistant(target)
        cleanup.callback(assistant.close)
        yield assistant
