"""The scale-out rows of `make bench`: the capacity of several Rasa workers on PostgreSQL and
Redis (bot/supervisor/datastores.py), as `make run-scaled` runs them.

    from eval.bench.scaled import bench_scaled
    row = bench_scaled(conversations, rates, Steps(), workers=2)

or on its own: `python -m eval.bench.scaled` (trains nothing: it uses models/).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.supervisor.datastores import local_datastores
from bot.supervisor.scaled_stack import start_scaled_stack
from bot.supervisor.stack import free_port
from eval.bench.capacity import Steps, ladder, print_step
from eval.bench.load import Conversation, compare_paths, load_conversations
from eval.bench.processes import processor_seconds, resident_mb
from settings import PROJECT_DIR

# The bench's own stack: its simulated patients must never meet the per-sender rate limit.
BENCH_ENV = {"RATE_LIMIT_PER_MINUTE": "1000000"}


def bench_scaled(
    conversations: Sequence[Conversation],
    rates: Sequence[float],
    steps: Steps,
    *,
    workers: int = 2,
    rounds: int = 2,
    model_path: Path | None = None,
    report: Callable[[dict], None] = lambda step: None,
) -> dict:
    """`workers`, `start_to_healthy_seconds`, the gateway's cost over one-at-a-time messages
    (`paths`), the capacity `ladder` and the memory after it."""
    extra_env = dict(BENCH_ENV)
    if model_path:
        extra_env["MODEL_PATH"] = str(model_path)
    folder = Path(tempfile.mkdtemp(prefix="bench-scaled-", dir=PROJECT_DIR / "var"))
    folder.chmod(0o755)  # under root PostgreSQL runs as `postgres`, which must get in
    try:
        with local_datastores(folder, free_port(), free_port()) as (postgres, redis):
            began = time.monotonic()
            stack = start_scaled_stack(folder / "stack", postgres, redis, workers, extra_env)
            healthy_seconds = time.monotonic() - began
            try:
                gateway = f"{stack.url}/webhooks/rest/webhook"
                direct = f"http://127.0.0.1:{stack.rasa_port}/webhooks/rest/webhook"

                async def measure() -> dict:
                    # Warm-up: the first messages load lazily built parts of each worker's model.
                    await compare_paths({"gateway": gateway}, conversations, rounds=workers)
                    paths = await compare_paths(
                        {"gateway": gateway, "direct": direct}, conversations, rounds
                    )
                    metered = dataclasses.replace(
                        steps, meter=lambda: processor_seconds(stack.process.pid)
                    )
                    steps_done = await ladder(gateway, rates, conversations, metered, report)
                    return {
                        "paths": {name: tally.summary() for name, tally in paths.items()},
                        "ladder": steps_done,
                    }

                measured = asyncio.run(measure())
                rss = resident_mb(stack.process.pid)
            finally:
                stack.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "workers": workers,
        "start_to_healthy_seconds": round(healthy_seconds, 1),
        **measured,
        "rss_after_load_mb": rss,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.scaled", description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rates", type=float, nargs="+", default=[20, 30, 40, 50, 60, 70])
    parser.add_argument("--window-seconds", type=float, default=Steps.window_seconds)
    args = parser.parse_args(argv)
    row = bench_scaled(
        load_conversations(),
        args.rates,
        Steps(window_seconds=args.window_seconds),
        workers=args.workers,
        report=print_step,
    )
    print(json.dumps(row, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
