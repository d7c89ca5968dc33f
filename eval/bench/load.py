"""Simulated patients: few-turn conversations sent over loopback, timed message by message.

Each conversation gets a new sender id, as a new patient would; so the gateway's per-sender rate
limit never trips, whatever the load. Like the widget, a conversation sends back the token its
first reply carried (bot/gateway/tokens.py).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx

from bot.gateway.tokens import TOKEN_HEADER

Conversation = Sequence[str]


@dataclass
class Tally:
    """Latencies of the messages answered, and what went wrong with the others."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def sent(self) -> int:
        return len(self.latencies) + sum(self.errors.values())

    def summary(self) -> dict:
        return {
            "messages": self.sent,
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "seconds": round(self.seconds, 1),
            "throughput_per_s": round(self.sent / self.seconds, 1) if self.seconds else None,
            "p50_ms": _ms(percentile(self.latencies, 50)),
            "p95_ms": _ms(percentile(self.latencies, 95)),
        }


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: always a value that was actually measured."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


async def send(
    http: httpx.AsyncClient,
    url: str,
    sender: str,
    text: str,
    tally: Tally,
    tokens: dict[str, str],
) -> None:
    """One message; an error is a failed request, a non-200 answer or an empty reply list."""
    headers = {TOKEN_HEADER: tokens[sender]} if sender in tokens else {}
    began = time.perf_counter()
    try:
        response = await http.post(url, json={"sender": sender, "message": text}, headers=headers)
    except httpx.HTTPError as error:
        kind = type(error).__name__
    else:
        elapsed = time.perf_counter() - began
        if TOKEN_HEADER in response.headers:
            tokens[sender] = response.headers[TOKEN_HEADER]
        if response.status_code != 200:
            kind = f"HTTP {response.status_code}"
        elif not response.json():
            kind = "empty reply"
        else:
            tally.latencies.append(elapsed)
            return
    tally.errors[kind] = tally.errors.get(kind, 0) + 1


async def patient(
    http: httpx.AsyncClient,
    url: str,
    conversations: Sequence[Conversation],
    think_seconds: float,
    tally: Tally,
    keep_going: Callable[[], bool],
    rng: random.Random,
) -> None:
    """Talks through conversations while `keep_going()`; pauses to read and type between turns."""
    tokens: dict[str, str] = {}
    while keep_going():
        sender = f"bench-{uuid.uuid4().hex[:16]}"
        for text in rng.choice(conversations):
            await send(http, url, sender, text, tally, tokens)
            # Think time varies (0.5x to 1.5x) so patients do not move in lockstep.
            await asyncio.sleep(think_seconds * rng.uniform(0.5, 1.5))


async def run_patients(
    url: str,
    conversations: Sequence[Conversation],
    patients: int,
    think_seconds: float,
    *,
    conversations_each: int | None = None,
    duration_seconds: float | None = None,
    seed: int = 7,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Tally:
    """`patients` at once, each for `conversations_each` conversations or `duration_seconds`."""
    tally = Tally()
    deadline = time.monotonic() + (duration_seconds or math.inf)

    def budget() -> Callable[[], bool]:
        left = conversations_each or math.inf

        def keep_going() -> bool:
            nonlocal left
            left -= 1
            return left >= 0 and time.monotonic() < deadline

        return keep_going

    limits = httpx.Limits(max_connections=patients, max_keepalive_connections=patients)
    async with httpx.AsyncClient(timeout=30.0, limits=limits, transport=transport) as http:
        began = time.perf_counter()
        await asyncio.gather(
            *(
                patient(
                    http,
                    url,
                    conversations,
                    think_seconds,
                    tally,
                    budget(),
                    random.Random(seed + n),
                )
                for n in range(patients)
            )
        )
        tally.seconds = time.perf_counter() - began
    return tally


async def compare_paths(
    urls: dict[str, str],
    conversations: Sequence[Conversation],
    rounds: int,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Tally]:
    """One message at a time, the same conversation sent down each path in turn.

    Interleaving spreads background noise evenly over the paths compared.
    """
    tallies = {name: Tally() for name in urls}
    tokens: dict[str, str] = {}
    async with httpx.AsyncClient(timeout=30.0, transport=transport) as http:
        for _ in range(rounds):
            for conversation in conversations:
                senders = {name: f"bench-{uuid.uuid4().hex[:16]}" for name in urls}
                for text in conversation:
                    for name, url in urls.items():
                        began = time.perf_counter()
                        await send(http, url, senders[name], text, tallies[name], tokens)
                        tallies[name].seconds += time.perf_counter() - began
    return tallies
