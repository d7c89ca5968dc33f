"""The scale-out row of `make bench`: throughput and p95 at 50 patients, 1 worker against 2.

Both runs use the same local PostgreSQL and Redis (bot/datastores.py), the same model and the
same simulated patients (eval/bench/load.py), one after the other in one call; only the number
of Rasa workers differs. Each stack is warmed up (not measured) before its run.

    from eval.bench.scaled import bench_scaled
    rows = bench_scaled(conversations)  # [{"workers": 1, ...}, {"workers": 2, ...}]

or on its own: `python -m eval.bench.scaled`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

from bot.supervisor.datastores import local_datastores
from bot.supervisor.scaled_stack import start_scaled_stack
from bot.supervisor.stack import free_port
from eval.bench.load import Conversation, run_patients
from settings import PROJECT_DIR

CONVERSATIONS = Path(__file__).resolve().parent / "conversations.yml"


def bench_scaled(
    conversations: Sequence[Conversation],
    *,
    worker_counts: Sequence[int] = (1, 2),
    patients: int = 50,
    conversations_each: int = 2,
    think_seconds: float = 2.0,
    model_path: Path | None = None,
) -> list[dict]:
    """One row per worker count: `workers`, `patients`, `start_to_healthy_seconds` and
    eval.bench.load.Tally.summary() (`messages`, `errors`, `throughput_per_s`, `p95_ms`...)."""
    extra_env = {"RATE_LIMIT_PER_MINUTE": "1000000"}
    if model_path:
        extra_env["MODEL_PATH"] = str(model_path)
    folder = Path(tempfile.mkdtemp(prefix="bench-scaled-", dir=PROJECT_DIR / "var"))
    folder.chmod(0o755)  # under root PostgreSQL runs as `postgres`, which must get in
    rows = []
    try:
        with local_datastores(folder, free_port(), free_port()) as (postgres, redis):
            for workers in worker_counts:
                began = time.monotonic()
                stack = start_scaled_stack(
                    folder / f"stack-{workers}", postgres, redis, workers, extra_env
                )
                healthy_seconds = time.monotonic() - began
                try:
                    gateway = f"{stack.url}/webhooks/rest/webhook"
                    # Warm-up: the first messages load lazily built parts of each worker's model.
                    asyncio.run(
                        run_patients(gateway, conversations, 2 * workers, 0.0, conversations_each=1)
                    )
                    tally = asyncio.run(
                        run_patients(
                            gateway,
                            conversations,
                            patients,
                            think_seconds,
                            conversations_each=conversations_each,
                        )
                    )
                finally:
                    stack.stop()
                rows.append(
                    {
                        "workers": workers,
                        "patients": patients,
                        "start_to_healthy_seconds": round(healthy_seconds, 1),
                        **tally.summary(),
                    }
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def render(rows: list[dict]) -> str:
    """A Markdown table, one line per worker count."""
    lines = [
        "| Rasa workers | patients | messages | errors | msg/s | p50 (ms) | p95 (ms) |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['workers']} | {r['patients']} | {r['messages']} | {r['errors']} "
        f"| {r['throughput_per_s']} | {r['p50_ms']} | {r['p95_ms']} |"
        for r in rows
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench.scaled", description=__doc__)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--conversations-each", type=int, default=2)
    parser.add_argument("--think-seconds", type=float, default=2.0)
    args = parser.parse_args(argv)
    conversations = yaml.safe_load(CONVERSATIONS.read_text(encoding="utf-8"))["conversations"]
    rows = bench_scaled(
        conversations,
        worker_counts=args.workers,
        patients=args.patients,
        conversations_each=args.conversations_each,
        think_seconds=args.think_seconds,
    )
    print(render(rows))
    print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
