"""The bench's one table: each measure with its goal (from issue 9) and whether it was met."""

from __future__ import annotations

from eval.report import table

MAX_GATEWAY_OVERHEAD = 1.15  # gateway p50 at most 1.15x direct-to-Rasa p50
MAX_P95_MS_AT_50 = 500.0
MAX_SOAK_GROWTH = 0.10  # "memory flat": no process grows more than 10% during the soak


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "NO")


def overhead(paths: dict) -> float | None:
    gateway, direct = paths["gateway"]["p50_ms"], paths["direct"]["p50_ms"]
    return round(gateway / direct, 2) if gateway and direct else None


def growth(samples: list[dict[str, float]]) -> dict[str, float]:
    """Relative RSS change of each process from the first sample to the last."""
    first, last = samples[0], samples[-1]
    return {role: round(last[role] / first[role] - 1, 3) for role in first if role in last}


def rows(report: dict) -> list[list[object]]:
    paths, soak = report["paths"], report["soak"]
    ratio = overhead(paths)
    out = [
        ["gateway p50 / direct p50", f"<= {MAX_GATEWAY_OVERHEAD}", ratio,
         _met(None if ratio is None else ratio <= MAX_GATEWAY_OVERHEAD)],
    ]  # fmt: skip
    for name, p in paths.items():
        out.append(
            [f"{name}: p50 / p95", "", f"{p['p50_ms']} / {p['p95_ms']} ms, {_errors(p)}", ""]
        )
    for patients, level in report["patients"].items():
        measured = f"{level['throughput_per_s']} msg/s, p95 {level['p95_ms']} ms, {_errors(level)}"
        if patients == "50":
            ok = level["errors"] == 0 and (level["p95_ms"] or 0) <= MAX_P95_MS_AT_50
            goal = f"0 errors, p95 <= {MAX_P95_MS_AT_50:.0f} ms"
            out.append([f"concurrent patients: {patients}", goal, measured, _met(ok)])
        else:
            out.append([f"concurrent patients: {patients}", "", measured, ""])
    out += [
        ["train from scratch", "", _seconds(report["train_seconds"]), ""],
        ["start to healthy /healthz", "", f"{report['start_to_healthy_seconds']} s", ""],
        ["RSS after the load", "", _sizes(report["rss_after_load_mb"]), ""],
    ]
    if soak:
        start, end = soak["rss_mb"][0], soak["rss_mb"][-1]
        flat = all(g <= MAX_SOAK_GROWTH for g in growth(soak["rss_mb"]).values())
        out += [
            [f"soak {soak['seconds']:.0f} s, {soak['patients']} patients: errors", "0",
             f"{_errors(soak)}, p95 {soak['p95_ms']} ms", _met(soak["errors"] == 0)],
            ["soak RSS start -> end", f"each <= +{MAX_SOAK_GROWTH:.0%}",
             ", ".join(f"{r} {start[r]} -> {end.get(r)} MB" for r in start), _met(flat)],
        ]  # fmt: skip
    return out


def _errors(summary: dict) -> str:
    kinds = ", ".join(f"{k} x{n}" for k, n in summary.get("error_kinds", {}).items())
    return f"{summary['errors']} errors of {summary['messages']}" + (f" ({kinds})" if kinds else "")


def _seconds(value: float | None) -> str:
    return "not measured (--model given)" if value is None else f"{value} s"


def _sizes(mb: dict[str, float]) -> str:
    return ", ".join(f"{role} {size} MB" for role, size in mb.items())


def render(report: dict) -> str:
    settings = report["settings"]
    return "\n\n".join(
        [
            "# Benchmark",
            f"{report['finished']}, {report['cpus']} CPUs, load average "
            f"{report['load_average_before']} before and {report['load_average_after']} after "
            f"(other work on the machine makes every number noisier), {report['total_seconds']} s.",
            table(["measure", "goal", "measured", "met"], rows(report)),
            f"Loopback only. Latency: {settings['rounds']} rounds of the bench conversations, one "
            "message at a time, gateway and direct interleaved, after one warm-up round. Patients: "
            f"{settings['conversations_each']} conversations each, a pause of "
            f"{settings['think_seconds']} s (0.5x-1.5x) between messages; each conversation has a "
            "new sender id, and the bench's own stack has its rate limit raised. An error is a "
            "failed request, a non-200 answer or an empty reply.",
        ]
    )
