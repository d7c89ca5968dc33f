"""The capacity picture: answered p95 against the offered rate, one line per worker count."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: files only

from matplotlib import pyplot  # noqa: E402  (the backend must be chosen first)

from eval.bench.capacity import MAX_P95_MS  # noqa: E402


def plot_capacity(ladders: dict[str, list[dict]], path: Path) -> Path:
    """`ladders`: a label ("1 worker") to its steps (`rate`, `p95_ms`); writes a PNG."""
    figure, axes = pyplot.subplots(figsize=(7, 4.5), dpi=120)
    for label, steps in ladders.items():
        points = [(s["rate"], s["p95_ms"]) for s in steps if s["p95_ms"] is not None]
        if points:
            axes.plot(*zip(*points, strict=True), marker="o", label=label)
    axes.axhline(MAX_P95_MS, color="red", linestyle="--", label=f"goal: p95 {MAX_P95_MS:.0f} ms")
    axes.set_yscale("log")
    axes.set_xlabel("offered messages a second (Poisson arrivals of patients)")
    axes.set_ylabel("answered p95 (ms, log scale)")
    axes.set_title("Latency against offered load")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    pyplot.close(figure)
    return path
