"""`make bench`: how many patients the assistant serves on this machine, measured like real
traffic, with Rasa's own sample bot as the yardstick. One run on loopback:

1. trains the model from scratch, and Rasa's sample bot (`rasa init`), each timed;
2. starts the stack as `make run` does (one Rasa worker, SQLite), with the sample bot beside it;
   one message at a time, gateway, direct to Rasa and the sample bot interleaved: the gateway's
   own cost and the turn latency against the sample bot; then 50 senders back to back, on the
   project's Rasa and on the sample bot: throughput against it;
3. the capacity ladder through the gateway (eval/bench/capacity.py): patients arriving as a
   Poisson process at rising rates; then the overload rows at 1.5x and 2x the capacity; then a
   soak at 0.8x, memory sampled throughout;
4. the same ladder with two Rasa workers on PostgreSQL and Redis (eval/bench/scaled.py);
5. prints one table with the goals beside the numbers, writes `reports/bench.md`,
   `reports/bench.json` and the plot `reports/bench-capacity.png`.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bot.gc_pauses import freeze_what_is_loaded
from bot.supervisor.stack import Stack
from content.red_flags import load_detector
from eval.bench.anchor import init_sample_bot, serve_sample_bot
from eval.bench.arrivals import Traffic
from eval.bench.capacity import Steps, capacity, ladder, overload, print_step, run_rate
from eval.bench.load import back_to_back, compare_paths, load_conversations
from eval.bench.plot import plot_capacity
from eval.bench.processes import processor_seconds, resident_mb
from eval.bench.scaled import BENCH_ENV, bench_scaled
from eval.bench.training import train_from_scratch
from eval.bench.verdicts import render
from eval.report import REPORTS_DIR, publish_report
from eval.target import start

RSS_SAMPLE_SECONDS = 10.0
SOAK_FACTOR = 0.8
BACK_TO_BACK_SENDERS = 50
PLOT_FILE = "bench-capacity.png"


async def compare_with_anchor(
    gateway: str, direct: str, sample: str | None, conversations: list, rounds: int
) -> dict:
    urls = {"gateway": gateway, "direct": direct} | ({"sample bot": sample} if sample else {})
    # Warm-up, not measured: the first messages load lazily built parts of the models.
    await compare_paths(urls, conversations, rounds=1)
    paths = await compare_paths(urls, conversations, rounds)
    throughput = {}
    for name, url in {"direct": direct, "sample bot": sample}.items():
        if url:
            tally = await back_to_back(url, conversations, BACK_TO_BACK_SENDERS, 2)
            throughput[name] = tally.summary()
    return {
        "paths": {name: tally.summary() for name, tally in paths.items()},
        "back_to_back": throughput,
    }


async def load_one_worker(
    gateway: str, pid: int, conversations: list, args: argparse.Namespace
) -> dict:
    """Ladder, overload and soak through the gateway, the memory of every process sampled."""
    samples = [resident_mb(pid)]

    async def sample() -> None:
        while True:
            await asyncio.sleep(RSS_SAMPLE_SECONDS)
            samples.append(resident_mb(pid))

    sampler = asyncio.create_task(sample())
    steps = Steps(
        args.warmup_seconds,
        args.window_seconds,
        Traffic(tuple(args.think_seconds)),
        meter=lambda: processor_seconds(pid),
    )
    print("Capacity, 1 Rasa worker:", flush=True)
    steps_done = await ladder(gateway, args.rates, conversations, steps, print_step)
    held_rate = capacity(steps_done)
    overloaded, soaked, soak_from = [], None, 0
    if held_rate:
        print("Overload:", flush=True)
        overloaded = await overload(gateway, held_rate, conversations, steps, print_step)
        if args.soak_seconds:
            print("Soak:", flush=True)
            # A leak shows as memory that keeps growing at a steady rate; from idle through the
            # ladder and the overload it only rises to what the highest load needed.
            soak_from = len(samples)
            soak_steps = dataclasses.replace(steps, window_seconds=args.soak_seconds)
            soaked = await run_rate(
                gateway, SOAK_FACTOR * held_rate, conversations, soak_steps, seed=200
            )
            print_step(soaked)
    sampler.cancel()
    samples.append(resident_mb(pid))
    return {
        "ladder": steps_done,
        "overload": overloaded,
        "soak": soaked,
        "rss_mb": samples,
        "rss_soak_from": soak_from,
    }


def bench(args: argparse.Namespace) -> dict:
    conversations = load_conversations()
    # The load generator times every message: its own full garbage collections (it holds the
    # warning-sign detector, to count the emergency replies) would be counted as the
    # assistant's latency (bot/gc_pauses.py).
    load_detector()
    freeze_what_is_loaded()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bonemets-bench-") as tmp:
        if args.model:
            model, train_seconds = args.model.resolve(), None
        else:
            print("Training the model from scratch...", flush=True)
            model, train_seconds = train_from_scratch(Path(tmp))
        sample_folder = Path(tmp) / "sample-bot"
        if args.anchor:
            print("Training Rasa's sample bot (rasa init)...", flush=True)
            sample_train_seconds = init_sample_bot(sample_folder)
        stack = Stack(var_dir=Path(tmp) / "var", extra_env={"MODEL_PATH": str(model), **BENCH_ENV})
        healthy_seconds = start(stack)
        try:
            gateway = f"{stack.url}/webhooks/rest/webhook"
            direct = f"http://127.0.0.1:{stack.rasa_port}/webhooks/rest/webhook"
            print("One message at a time, and back to back...", flush=True)
            if args.anchor:
                with serve_sample_bot(sample_folder) as sample:
                    compared = asyncio.run(
                        compare_with_anchor(gateway, direct, sample, conversations, args.rounds)
                    )
            else:
                compared = asyncio.run(
                    compare_with_anchor(gateway, direct, None, conversations, args.rounds)
                )
            one_worker = asyncio.run(
                load_one_worker(gateway, stack.process.pid, conversations, args)
            )
        finally:
            stack.stop()
        scaled = None
        if args.scaled:
            held_rate = capacity(one_worker["ladder"]) or 0
            print("Capacity, 2 Rasa workers on PostgreSQL and Redis:", flush=True)
            # The model just trained, while its folder still exists: a fresh clone running
            # only `make bench` has no models/ of its own.
            scaled = bench_scaled(
                conversations,
                [rate for rate in args.rates if rate >= held_rate / 2],
                Steps(args.warmup_seconds, args.window_seconds, Traffic(tuple(args.think_seconds))),
                model_path=model,
                report=print_step,
            )
    ladders = {"1 worker (SQLite)": one_worker["ladder"]}
    if scaled:
        ladders["2 workers (PostgreSQL, Redis)"] = scaled["ladder"]
    plot_capacity(ladders, REPORTS_DIR / PLOT_FILE)
    return {
        "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "settings": {key: str(value) for key, value in vars(args).items()},
        "cpus": os.cpu_count(),
        "load_average_before": round(load_before[0], 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "train_seconds": None if train_seconds is None else round(train_seconds, 1),
        "sample_bot_train_seconds": round(sample_train_seconds, 1) if args.anchor else None,
        "start_to_healthy_seconds": round(healthy_seconds, 1),
        **compared,
        **one_worker,
        "scaled": scaled,
        "back_to_back_senders": BACK_TO_BACK_SENDERS,
        "plot": PLOT_FILE,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m eval.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--rounds", type=int, default=4, help="times every conversation is sent down each path"
    )
    parser.add_argument(
        "--rates",
        type=float,
        nargs="+",
        default=[5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 120, 140, 160],
        help="offered messages a second for the capacity ladder, climbed until one fails",
    )
    parser.add_argument("--warmup-seconds", type=float, default=Steps.warmup_seconds)
    parser.add_argument("--window-seconds", type=float, default=Steps.window_seconds)
    parser.add_argument(
        "--think-seconds",
        type=float,
        nargs=2,
        default=list(Traffic.think_seconds),
        help="shortest and longest pause between a patient's messages (reading and typing)",
    )
    parser.add_argument(
        "--soak-seconds",
        type=float,
        default=120.0,
        help=f"measured length of the soak at {SOAK_FACTOR}x capacity; 0 skips it",
    )
    parser.add_argument(
        "--no-anchor", dest="anchor", action="store_false", help="skip Rasa's sample bot"
    )
    parser.add_argument(
        "--no-scaled", dest="scaled", action="store_false", help="skip the 2-worker ladder"
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
    publish_report("bench", render(report), report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
