"""`make bench`: speed and memory of the whole assistant, in one run on loopback.

Trains a model from scratch into a temporary folder, starts its own stack on free ports with that
model (rate limit raised for this stack only), then measures: gateway against direct-to-Rasa
latency, 1/10/50 simulated patients, memory after the load and a soak at 10 patients. Prints one
table with the goals beside the numbers and writes `reports/bench.md` and `reports/bench.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import yaml

from bot.supervisor.stack import Stack
from eval.bench.load import compare_paths, run_patients
from eval.bench.memory import resident_mb
from eval.bench.training import train_from_scratch
from eval.bench.verdicts import render
from eval.report import publish_report
from eval.target import start

CONVERSATIONS = Path(__file__).resolve().parent / "conversations.yml"
SOAK_PATIENTS = 10
RSS_SAMPLE_SECONDS = 10.0


def load_conversations() -> list[list[str]]:
    return yaml.safe_load(CONVERSATIONS.read_text(encoding="utf-8"))["conversations"]


async def soak(url: str, pid: int, conversations: list, args: argparse.Namespace) -> dict:
    """Patients talk for `soak_seconds` while the memory of each process is sampled."""
    samples = [resident_mb(pid)]

    async def sample() -> None:
        while True:
            await asyncio.sleep(RSS_SAMPLE_SECONDS)
            samples.append(resident_mb(pid))

    sampler = asyncio.create_task(sample())
    tally = await run_patients(
        url, conversations, SOAK_PATIENTS, args.think_seconds, duration_seconds=args.soak_seconds
    )
    sampler.cancel()
    samples.append(resident_mb(pid))
    return tally.summary() | {"patients": SOAK_PATIENTS, "rss_mb": samples}


async def measure(stack: Stack, conversations: list, args: argparse.Namespace) -> dict:
    gateway = f"{stack.url}/webhooks/rest/webhook"
    direct = f"http://127.0.0.1:{stack.rasa_port}/webhooks/rest/webhook"
    # Warm-up, not measured: the first messages load lazily built parts of the model.
    await compare_paths({"gateway": gateway}, conversations, rounds=1)
    paths = await compare_paths({"gateway": gateway, "direct": direct}, conversations, args.rounds)
    levels = {}
    for patients in args.patients:
        tally = await run_patients(
            gateway,
            conversations,
            patients,
            args.think_seconds,
            conversations_each=args.conversations_each,
        )
        levels[str(patients)] = tally.summary()
    after_load = resident_mb(stack.process.pid)
    soaked = (
        await soak(gateway, stack.process.pid, conversations, args) if args.soak_seconds else None
    )
    return {
        "paths": {name: tally.summary() for name, tally in paths.items()},
        "patients": levels,
        "rss_after_load_mb": after_load,
        "soak": soaked,
    }


def bench(args: argparse.Namespace) -> dict:
    conversations = load_conversations()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bonemets-bench-") as tmp:
        if args.model:
            model, train_seconds = args.model.resolve(), None
        else:
            model, train_seconds = train_from_scratch(Path(tmp))
        stack = Stack(
            var_dir=Path(tmp) / "var",
            extra_env={"MODEL_PATH": str(model), "RATE_LIMIT_PER_MINUTE": "1000000"},
        )
        healthy_seconds = start(stack)
        try:
            measured = asyncio.run(measure(stack, conversations, args))
        finally:
            stack.stop()
    return {
        "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "settings": vars(args),
        "cpus": os.cpu_count(),
        "load_average_before": round(load_before[0], 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "train_seconds": None if train_seconds is None else round(train_seconds, 1),
        "start_to_healthy_seconds": round(healthy_seconds, 1),
        **measured,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__)
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="times every conversation is sent down each path (latency)",
    )
    parser.add_argument(
        "--patients",
        type=int,
        nargs="+",
        default=[1, 10, 50],
        help="concurrent patients, one run for each number",
    )
    parser.add_argument(
        "--conversations-each",
        type=int,
        default=2,
        help="conversations each patient has at each level",
    )
    parser.add_argument(
        "--think-seconds",
        type=float,
        default=2.0,
        help="mean pause between a patient's messages (reading and typing)",
    )
    parser.add_argument(
        "--soak-seconds",
        type=float,
        default=180.0,
        help="length of the soak at 10 patients; 0 skips it",
    )
    parser.add_argument(
        "--model",
        type=Path,
        help="use this trained model instead of training one (training is then not timed)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    report = bench(args)
    report["total_seconds"] = round(time.monotonic() - started)
    markdown = render(report)
    publish_report("bench", markdown, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
