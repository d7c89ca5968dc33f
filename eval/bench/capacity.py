"""How many messages a second the assistant holds, and what happens past that.

A rate is held when every message sent in its measured window was answered (no error, none
turned away as busy) and the answered p95 is at most 300 ms. The ladder offers rising rates
until one is not held, then the rate halfway between it and the last one held; the capacity is
the highest rate held. At a message every 20 s per patient (reading and typing), a capacity of
R messages a second serves 20 x R patients chatting at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eval.bench.arrivals import Traffic, offer
from eval.bench.load import Conversation

MAX_P95_MS = 300.0
PATIENT_MESSAGE_INTERVAL_SECONDS = 20.0
OVERLOAD_FACTORS = (1.5, 2.0)


@dataclass(frozen=True)
class Steps:
    """How long each offered rate runs: a warm-up at least as long as the longest think time
    (arrivals.py), then the measured window."""

    warmup_seconds: float = 30.0
    window_seconds: float = 60.0
    traffic: Traffic = Traffic()
    # Processor seconds used so far by each part of the stack (processes.processor_seconds),
    # read at the window's start and end: what a message costs each part.
    meter: Callable[[], dict[str, float]] | None = None


def held(step: dict) -> bool:
    return step["errors"] == 0 and step["shed"] == 0 and (step["p95_ms"] or 0) <= MAX_P95_MS


def capacity(steps: Sequence[dict]) -> float | None:
    """The highest offered rate held, or None when none was."""
    return max((step["rate"] for step in steps if held(step)), default=None)


def patients_at_once(rate: float | None) -> int | None:
    return None if rate is None else round(rate * PATIENT_MESSAGE_INTERVAL_SECONDS)


def print_step(step: dict) -> None:
    """Progress on the terminal: a ladder takes minutes."""
    print(
        f"  {step['rate']:g} msg/s offered ({step['offered_per_s']} measured): p50 "
        f"{step['p50_ms']} / p95 {step['p95_ms']} / p99 {step['p99_ms']} ms, "
        f"{step['shed']} busy, {step['errors']} errors of {step['messages']}"
        + (f"; processor ms a message: {cpu_breakdown(step)}" if step.get("cpu_ms") else ""),
        flush=True,
    )


def cpu_breakdown(step: dict) -> str:
    parts = ", ".join(f"{role} {ms:g}" for role, ms in step["cpu_ms"].items())
    return f"{parts}; {sum(step['cpu_ms'].values()):.1f} in all"


def cpu_ceiling(step: dict, cores: int) -> float | None:
    """Messages a second the machine's cores could serve at this cost a message, busy all the
    time: an upper bound that no queueing can beat."""
    total = sum(step.get("cpu_ms", {}).values())
    return round(cores * 1000 / total, 1) if total else None


async def run_rate(
    url: str, rate: float, conversations: Sequence[Conversation], steps: Steps, seed: int
) -> dict:
    tally = await offer(
        url,
        rate,
        conversations,
        warmup_seconds=steps.warmup_seconds,
        window_seconds=steps.window_seconds,
        traffic=steps.traffic,
        seed=seed,
        meter=steps.meter,
    )
    return {"rate": rate, **tally.summary()}


async def ladder(
    url: str,
    rates: Sequence[float],
    conversations: Sequence[Conversation],
    steps: Steps,
    report: Callable[[dict], None] = lambda step: None,
) -> list[dict]:
    """One step per rate, rising, until a rate is not held; then the midpoint once."""
    done: list[dict] = []
    for rate in sorted(rates):
        done.append(await run_rate(url, rate, conversations, steps, seed=len(done)))
        report(done[-1])
        if not held(done[-1]):
            break
    best = capacity(done)
    if best is not None and not held(done[-1]):
        midpoint = round((best + done[-1]["rate"]) / 2)
        if best < midpoint < done[-1]["rate"]:
            done.append(await run_rate(url, midpoint, conversations, steps, seed=len(done)))
            report(done[-1])
    return sorted(done, key=lambda step: step["rate"])


async def overload(
    url: str,
    held_rate: float,
    conversations: Sequence[Conversation],
    steps: Steps,
    report: Callable[[dict], None] = lambda step: None,
) -> list[dict]:
    """Past capacity: the held rate times each of OVERLOAD_FACTORS."""
    done = []
    for factor in OVERLOAD_FACTORS:
        step = await run_rate(url, held_rate * factor, conversations, steps, seed=100 + len(done))
        done.append({"factor": factor, **step})
        report(done[-1])
    return done
