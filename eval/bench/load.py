"""Messages sent over loopback and timed one by one; what came back, counted by kind.

Every conversation gets a new sender id, as a new patient would, so the gateway's per-sender
rate limit never trips, whatever the load. Like the widget, a conversation sends back the token
its first reply carried (bot/gateway/tokens.py).
"""

from __future__ import annotations

import asyncio
import math
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import httpx
import yaml

from bot.gateway.aiohttp_transport import AiohttpTransport
from bot.gateway.tokens import TOKEN_HEADER
from content.red_flags import load_detector
from settings import PROJECT_DIR

Conversation = Sequence[str]
CONVERSATIONS = PROJECT_DIR / "eval" / "bench" / "conversations.yml"
# What the gateway answers past its capacity (bot/gateway/admission.py): 503 and this code.
BUSY_ERROR = "busy"
# The gateway's "could not answer just now" (bot/gateway/own_replies.py): Rasa timed out or
# failed, so the patient got no answer to the question.
UNAVAILABLE = {"custom": {"gateway_reply": "unavailable"}}
# Shorter than the servers keep an idle connection (Rasa's Sanic 5 s, the gateway's uvicorn
# more), so a message is never sent on a connection the server is closing.
KEEPALIVE_SECONDS = 2.0


def load_conversations() -> list[list[str]]:
    return yaml.safe_load(CONVERSATIONS.read_text(encoding="utf-8"))["conversations"]


@dataclass
class Tally:
    """Latencies of the messages answered and of those turned away as busy, what went wrong with
    the others, and whether each message with a warning sign got the emergency reply."""

    answered: list[float] = field(default_factory=list)
    shed: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    warning_signs: int = 0
    emergency_replies: int = 0
    seconds: float = 0.0
    # Processor seconds each part of the stack used in the window, when it was metered.
    processor_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def sent(self) -> int:
        return len(self.answered) + len(self.shed) + sum(self.errors.values())

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def summary(self) -> dict:
        def per_second(count: int) -> float | None:
            return round(count / self.seconds, 1) if self.seconds else None

        return {
            "messages": self.sent,
            "answered": len(self.answered),
            "shed": len(self.shed),
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "warning_signs": self.warning_signs,
            "emergency_replies": self.emergency_replies,
            "seconds": round(self.seconds, 1),
            "offered_per_s": per_second(self.sent),
            "answered_per_s": per_second(len(self.answered)),
            "p50_ms": _ms(percentile(self.answered, 50)),
            "p95_ms": _ms(percentile(self.answered, 95)),
            "p99_ms": _ms(percentile(self.answered, 99)),
            "shed_p95_ms": _ms(percentile(self.shed, 95)),
            "shed_max_ms": _ms(max(self.shed, default=None)),
            # What one message sent cost each part, in processor milliseconds.
            "cpu_ms": {
                role: round(seconds * 1000 / self.sent, 2)
                for role, seconds in self.processor_seconds.items()
            }
            if self.sent
            else {},
        }


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: always a value that was actually measured."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


@lru_cache(maxsize=1024)
def has_warning_sign(text: str) -> bool:
    return load_detector().screen(text).alarm


@lru_cache(maxsize=1)
def emergency_pattern() -> re.Pattern:
    """domain.yml's `utter_red_flag`, any values: Rasa's reply and the gateway's own one."""
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text(encoding="utf-8"))
    template = domain["responses"]["utter_red_flag"][0]["text"]
    return re.compile(".+".join(re.escape(part) for part in re.split(r"\{\w+\}", template)))


def is_emergency_reply(replies: list[dict]) -> bool:
    return any(emergency_pattern().fullmatch(reply.get("text") or "") for reply in replies)


def new_sender() -> str:
    return f"bench-{uuid.uuid4().hex[:16]}"


async def send(
    http: httpx.AsyncClient,
    url: str,
    sender: str,
    text: str,
    tally: Tally,
    tokens: dict[str, str] | None = None,
) -> None:
    """One message. Answered: 200 with replies. Shed: the gateway's immediate 503 "busy". An
    error is anything else: a failed request, another status, an empty reply list, the
    gateway's "could not answer just now". `tokens` holds each conversation's token from its
    first reply, sent back with its later messages as the widget does."""
    tokens = {} if tokens is None else tokens
    warning_sign = has_warning_sign(text)
    tally.warning_signs += warning_sign
    headers = {TOKEN_HEADER: tokens[sender]} if sender in tokens else {}
    began = time.perf_counter()
    try:
        response = await http.post(url, json={"sender": sender, "message": text}, headers=headers)
    except httpx.HTTPError as error:
        tally.error(type(error).__name__)
        return
    elapsed = time.perf_counter() - began
    if TOKEN_HEADER in response.headers:
        tokens[sender] = response.headers[TOKEN_HEADER]
    if response.status_code == 503 and _error_code(response) == BUSY_ERROR:
        tally.shed.append(elapsed)
    elif response.status_code != 200:
        tally.error(f"HTTP {response.status_code}")
    elif not (replies := response.json()):
        tally.error("empty reply")
    elif any(UNAVAILABLE.items() <= reply.items() for reply in replies):
        tally.error("could not answer")
    else:
        tally.answered.append(elapsed)
        tally.emergency_replies += warning_sign and is_emergency_reply(replies)


def _error_code(response: httpx.Response) -> str | None:
    try:
        return response.json().get("error")
    except ValueError:
        return None


def client(
    connections: int, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """A client as patiently as the widget (30 s), with room for `connections` at once.

    Its requests go out on aiohttp's connections (the gateway's own transport): the load
    generator shares the two cores with what it measures, and httpx's own pool cost it about
    twice the processor time per message."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    transport = transport or AiohttpTransport(keepalive_seconds=KEEPALIVE_SECONDS)
    return httpx.AsyncClient(timeout=30.0, limits=limits, transport=transport)


async def compare_paths(
    urls: dict[str, str],
    conversations: Sequence[Conversation],
    rounds: int,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Tally]:
    """One message at a time, the same conversation sent down each path in turn.

    Interleaving spreads background noise evenly over the paths compared, and the path that
    goes first changes with every message, so none is always the one that finds caches cold.
    """
    tallies = {name: Tally() for name in urls}
    tokens: dict[str, str] = {}
    names = list(urls)
    turn = 0
    async with client(len(urls), transport) as http:
        for _ in range(rounds):
            for conversation in conversations:
                senders = {name: new_sender() for name in urls}
                for text in conversation:
                    order = names[turn % len(names) :] + names[: turn % len(names)]
                    turn += 1
                    for name in order:
                        began = time.perf_counter()
                        await send(http, urls[name], senders[name], text, tallies[name], tokens)
                        tallies[name].seconds += time.perf_counter() - began
    return tallies


async def back_to_back(
    url: str,
    conversations: Sequence[Conversation],
    senders: int,
    conversations_each: int,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Tally:
    """`senders` at once, each sending its conversations with no pause: the most a server
    answers per second when it never waits for anyone."""
    tally = Tally()
    tokens: dict[str, str] = {}

    async def talk(offset: int) -> None:
        for n in range(conversations_each):
            sender = new_sender()
            for text in conversations[(offset + n) % len(conversations)]:
                await send(http, url, sender, text, tally, tokens)

    async with client(senders, transport) as http:
        began = time.perf_counter()
        await asyncio.gather(*(talk(offset) for offset in range(senders)))
        tally.seconds = time.perf_counter() - began
    return tally
