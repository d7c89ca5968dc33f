"""Traffic like a clinic's: patients arrive at random (a Poisson process), each has one
conversation and reads and types between turns, then leaves.

An offered rate of R messages a second means patients arrive at R / (mean turns) a second.
Each run starts in the steady state: the patients who would already be mid-conversation at
its start (arrived earlier, not yet finished) are drawn too, and send their remaining turns.
The first message each of them sends is a new sender's, which costs Rasa a little more than a
later turn; all of those fall within the longest think time, so a warm-up that long (not
measured) leaves a measured window that is the steady state exactly.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from eval.bench.load import Conversation, Tally, client, send

# Far more than one rate ever has in flight; a browser per patient would not queue either.
CONNECTIONS = 2000


@dataclass(frozen=True)
class Traffic:
    """How patients behave: seconds between reading a reply and sending the next message."""

    think_seconds: tuple[float, float] = (5.0, 30.0)


@dataclass(frozen=True)
class Patient:
    sender: str
    turns: list[tuple[float, str]]  # (planned second from the run's start, text); may be < 0


def patients(
    rate: float,
    seconds: float,
    conversations: Sequence[Conversation],
    traffic: Traffic,
    rng: random.Random,
) -> list[Patient]:
    """Everyone who sends a message in [0, seconds) at `rate` messages a second, with the times
    their turns would have if every reply were instant (later turns wait for the reply)."""
    mean_turns = statistics.fmean(len(c) for c in conversations)
    longest = (max(len(c) for c in conversations) - 1) * traffic.think_seconds[1]
    arrival = -longest
    found = []
    while True:
        arrival += rng.expovariate(rate / mean_turns)
        if arrival >= seconds:
            return found
        conversation = rng.choice(conversations)
        thinks = [rng.uniform(*traffic.think_seconds) for _ in conversation[1:]]
        times = itertools.accumulate(thinks, initial=arrival)
        turns = list(zip(times, conversation, strict=True))
        if turns[-1][0] >= 0:
            found.append(Patient(f"bench-{rng.getrandbits(64):016x}", turns))


async def offer(
    url: str,
    rate: float,
    conversations: Sequence[Conversation],
    *,
    warmup_seconds: float,
    window_seconds: float,
    traffic: Traffic = Traffic(),
    seed: int = 7,
    transport: httpx.AsyncBaseTransport | None = None,
    meter: Callable[[], dict[str, float]] | None = None,
) -> Tally:
    """Patients at `rate` messages a second for a warm-up and then a measured window; the
    tally holds the messages sent within the window (each timed until its answer) and, with a
    `meter`, the processor seconds each part of the stack used during the window."""
    end = warmup_seconds + window_seconds
    visitors = patients(rate, end, conversations, traffic, random.Random(seed))
    warmup, measured = Tally(), Tally()
    # A conversation begun in the warm-up goes on, with its token, in the measured window.
    tokens: dict[str, str] = {}
    began = time.monotonic()

    def now() -> float:
        return time.monotonic() - began

    async def visit(patient: Patient) -> None:
        first = next(n for n, (at, _) in enumerate(patient.turns) if at >= 0)
        await asyncio.sleep(max(0.0, patient.turns[first][0] - now()))
        for n in range(first, len(patient.turns)):
            if n > first:
                # The next message comes a think time after the reply, however late that was.
                think = patient.turns[n][0] - patient.turns[n - 1][0]
                await asyncio.sleep(think)
            sent_at = now()
            if sent_at >= end:
                return
            tally = measured if sent_at >= warmup_seconds else warmup
            await send(http, url, patient.sender, patient.turns[n][1], tally, tokens)

    async def read_meter() -> None:
        await asyncio.sleep(max(0.0, warmup_seconds - now()))
        first = meter()
        await asyncio.sleep(max(0.0, end - now()))
        last = meter()
        measured.processor_seconds = {k: v - first[k] for k, v in last.items() if k in first}

    async with client(CONNECTIONS, transport) as http:
        metering = [read_meter()] if meter else []
        await asyncio.gather(*metering, *(visit(patient) for patient in visitors))
    measured.seconds = window_seconds
    return measured
