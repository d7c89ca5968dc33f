"""The bench's tables: each measure with its goal (issues 20 and 23) and whether it was met."""

from __future__ import annotations

from eval.bench.capacity import (
    MAX_P95_MS,
    capacity,
    cpu_breakdown,
    cpu_ceiling,
    held,
    patients_at_once,
)
from eval.report import table

MIN_CAPACITY_ONE_WORKER = 35.0  # msg/s
MIN_SCALE_TWO_WORKERS = 1.4  # x the capacity of one
MAX_TURN_RATIO = 1.2  # project turn p50 / sample bot turn p50
MAX_GATEWAY_COST_MS = 3.0
MAX_HEALTHY_SECONDS = 30.0
MAX_TOTAL_RSS_MB = 1536.0
MAX_SOAK_GROWTH = 0.10  # "memory flat": no process grows more than 10% during the soak
MAX_SHED_MS = 50.0
MIN_ANSWERED_SHARE = 0.9  # of the capacity, answered per second while overloaded


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "NO")


def gateway_cost(paths: dict) -> float | None:
    """Milliseconds the gateway adds to a turn: its p50 minus direct-to-Rasa p50."""
    gateway, direct = paths["gateway"]["p50_ms"], paths["direct"]["p50_ms"]
    return None if gateway is None or direct is None else round(gateway - direct, 1)


def ratio(top: float | None, bottom: float | None) -> float | None:
    return round(top / bottom, 2) if top and bottom else None


def growth(samples: list[dict[str, float]]) -> dict[str, float]:
    """Relative RSS change of each process from the first sample to the last."""
    first, last = samples[0], samples[-1]
    return {role: round(last[role] / first[role] - 1, 3) for role in first if role in last}


def total_mb(sample: dict[str, float]) -> float:
    return round(sum(sample.values()), 1)


def overload_ok(step: dict, held_rate: float) -> dict[str, bool]:
    """Each overload target: answered fast, shed fast, nothing else failed (no timeout), most of
    the capacity still answered, and every warning sign got the emergency reply."""
    return {
        "answered p95": (step["p95_ms"] or 0) <= MAX_P95_MS,
        "busy answers": (step["shed_max_ms"] or 0) <= MAX_SHED_MS,
        "no failures": step["errors"] == 0,
        "throughput": (step["answered_per_s"] or 0) >= MIN_ANSWERED_SHARE * held_rate,
        "warning signs": step["emergency_replies"] == step["warning_signs"],
    }


def rows(report: dict) -> list[list[object]]:
    paths, throughput = report["paths"], report["back_to_back"]
    sample = paths.get("sample bot")
    one = capacity(report["ladder"])
    scaled = report.get("scaled")
    two = capacity(scaled["ladder"]) if scaled else None
    cost = gateway_cost(paths)
    turn_ratio = ratio(paths["direct"]["p50_ms"], sample and sample["p50_ms"])
    ours = throughput["direct"]["answered_per_s"]
    theirs = throughput.get("sample bot", {}).get("answered_per_s")
    throughput_ratio = ratio(ours, theirs)
    out = [
        ["capacity, 1 worker (p95 <= 300 ms, 0 errors)", f">= {MIN_CAPACITY_ONE_WORKER:g} msg/s",
         _rate(one), _met(None if one is None else one >= MIN_CAPACITY_ONE_WORKER)],
    ]  # fmt: skip
    if scaled:
        scale = ratio(two, one)
        cost_two = gateway_cost(scaled["paths"])
        out += [
            ["capacity, 2 workers (PostgreSQL, Redis)", f">= {MIN_SCALE_TWO_WORKERS}x 1 worker",
             f"{_rate(two)}, {scale}x",
             _met(None if scale is None else scale >= MIN_SCALE_TWO_WORKERS)],
            ["gateway's own cost, 2 workers", f"<= {MAX_GATEWAY_COST_MS:g} ms", f"{cost_two} ms",
             _met(None if cost_two is None else cost_two <= MAX_GATEWAY_COST_MS)],
        ]  # fmt: skip
    out += [
        ["turn p50: project / sample bot (direct)", f"<= {MAX_TURN_RATIO}",
         f"{paths['direct']['p50_ms']} / {sample and sample['p50_ms']} ms = {turn_ratio}",
         _met(None if turn_ratio is None else turn_ratio <= MAX_TURN_RATIO)],
        [f"back to back, {report['back_to_back_senders']} senders: project / sample bot", "",
         f"{ours} / {theirs} msg/s = {throughput_ratio}", ""],
        ["gateway's own cost (gateway p50 - direct p50)", f"<= {MAX_GATEWAY_COST_MS:g} ms",
         f"{cost} ms", _met(None if cost is None else cost <= MAX_GATEWAY_COST_MS)],
    ]  # fmt: skip
    for name, p in paths.items():
        out.append([f"one at a time, {name}: p50 / p95", "", _latency(p), ""])
    for step in report["overload"]:
        checks = overload_ok(step, one)
        out.append(
            [f"overload {step['factor']}x ({step['rate']:g} msg/s)", _overload_goal(one),
             _overload(step), _met(all(checks.values()))]
        )  # fmt: skip
    soak = report["soak"]
    if soak:
        out.append(
            [f"soak {soak['seconds']:.0f} s at {soak['rate']:g} msg/s", "0 errors, none busy",
             f"{_latency(soak)}, {soak['shed']} busy",
             _met(soak["errors"] == 0 and soak["shed"] == 0)]
        )  # fmt: skip
    samples = report["rss_mb"]
    peak = max(total_mb(sample) for sample in samples)
    # Over the soak when there was one: before it, memory rises with the load to what the
    # overload needed, which is no leak.
    soaked = samples[report.get("rss_soak_from", 0) :]
    flat = all(g <= MAX_SOAK_GROWTH for g in growth(soaked).values())
    out += [
        ["train from scratch", "", _seconds(report["train_seconds"]), ""],
        ["train the sample bot (rasa init)", "", _seconds(report["sample_bot_train_seconds"]), ""],
        ["start to healthy /healthz, 1 worker", f"<= {MAX_HEALTHY_SECONDS:g} s",
         f"{report['start_to_healthy_seconds']} s",
         _met(report["start_to_healthy_seconds"] <= MAX_HEALTHY_SECONDS)],
        ["total RSS, highest under load", f"<= {MAX_TOTAL_RSS_MB:g} MB", f"{peak} MB",
         _met(peak <= MAX_TOTAL_RSS_MB)],
        ["RSS over the soak, start -> end" if soak else "RSS first -> last sample of the load",
         f"each <= +{MAX_SOAK_GROWTH:.0%}",
         ", ".join(f"{r} {soaked[0][r]} -> {soaked[-1].get(r)} MB" for r in soaked[0])
         + f" (before the load: {total_mb(samples[0])} MB in all)",
         _met(flat)],
    ]  # fmt: skip
    if scaled:
        out.append(
            ["start to healthy, 2 workers", "", f"{scaled['start_to_healthy_seconds']} s", ""]
        )
    return out


def ladder_rows(steps: list[dict]) -> list[list[object]]:
    return [
        [s["rate"], s["offered_per_s"], s["p50_ms"], s["p95_ms"], s["p99_ms"],
         s["shed"], f"{s['errors']} of {s['messages']}", _met(held(s))]
        for s in steps
    ]  # fmt: skip


def overload_rows(steps: list[dict], held_rate: float | None) -> list[list[object]]:
    return [
        [f"{s['rate']:g} ({s['factor']}x)", s["offered_per_s"], s["answered_per_s"], s["p50_ms"],
         s["p95_ms"], f"{s['shed']} of {s['messages']}",
         f"{s.get('shed_p95_ms')} / {s['shed_max_ms']}",
         f"{s['errors']}", f"{s['emergency_replies']} of {s['warning_signs']}",
         _met(all(overload_ok(s, held_rate).values()))]
        for s in steps
    ]  # fmt: skip


def _cost_of_a_message(report: dict) -> list[str]:
    """What limits capacity: the processor time one message costs each process, at the highest
    rate held, and how many messages a second the machine's cores could give at that cost."""
    lines = []
    ladders = [("1 Rasa worker", report["ladder"])]
    if report.get("scaled"):
        ladders.append(("2 Rasa workers", report["scaled"]["ladder"]))
    for name, steps in ladders:
        top = next((s for s in steps if s["rate"] == capacity(steps)), None)
        if top and top.get("cpu_ms"):
            lines.append(
                f"- {name}, at {top['rate']:g} msg/s: {cpu_breakdown(top)} processor ms a "
                f"message; {report['cpus']} cores busy all the time would give at most "
                f"{cpu_ceiling(top, report['cpus'])} msg/s."
            )
    if not lines:
        return []
    return [
        "## What a message costs the machine",
        "\n".join(lines)
        + "\n\nProcessor time (user + system) of each process over the measured window, "
        "divided by the messages sent in it. The load generator runs on the same cores.",
    ]


def _rate(rate: float | None) -> str:
    if rate is None:
        return "none held"
    return f"{rate:g} msg/s = {patients_at_once(rate)} patients chatting at once"


def _latency(summary: dict) -> str:
    kinds = ", ".join(f"{k} x{n}" for k, n in summary.get("error_kinds", {}).items())
    return (
        f"{summary['p50_ms']} / {summary['p95_ms']} ms, {summary['errors']} errors of "
        f"{summary['messages']}" + (f" ({kinds})" if kinds else "")
    )


def _overload_goal(held_rate: float | None) -> str:
    least = "n/a" if held_rate is None else f"{MIN_ANSWERED_SHARE * held_rate:.0f}"
    return (
        f"p95 <= {MAX_P95_MS:.0f} ms, busy in <= {MAX_SHED_MS:.0f} ms, no failure, "
        f">= {least} answered/s, every warning sign answered"
    )


def _overload(step: dict) -> str:
    return (
        f"p95 {step['p95_ms']} ms, {step['answered_per_s']} answered/s, {step['shed']} busy "
        f"(p95 {step.get('shed_p95_ms')} ms, slowest {step['shed_max_ms']} ms), "
        f"{step['errors']} failed, "
        f"{step['emergency_replies']} of {step['warning_signs']} warning signs"
    )


def _seconds(value: float | None) -> str:
    return "not measured" if value is None else f"{value} s"


def render(report: dict) -> str:
    settings = report["settings"]
    one = capacity(report["ladder"])
    parts = [
        "# Benchmark",
        f"{report['finished']}, {report['cpus']} CPUs, load average "
        f"{report['load_average_before']} before and {report['load_average_after']} after "
        f"(other work on the machine makes every number noisier), {report['total_seconds']} s.",
        table(["measure", "goal", "measured", "met"], rows(report)),
        "## Capacity ladder, 1 Rasa worker (SQLite)",
        table(_LADDER_HEADERS, ladder_rows(report["ladder"])),
    ]
    if report.get("scaled"):
        parts += [
            "## Capacity ladder, 2 Rasa workers (PostgreSQL, Redis)",
            table(_LADDER_HEADERS, ladder_rows(report["scaled"]["ladder"])),
        ]
    parts += _cost_of_a_message(report)
    if report["overload"]:
        parts += [
            f"## Overload, 1 Rasa worker (capacity {one:g} msg/s)",
            table(
                ["offered msg/s", "measured", "answered/s", "p50 ms", "p95 ms", "busy (503)",
                 "busy p95 / slowest ms", "failed", "warning signs answered", "met"],
                overload_rows(report["overload"], one),
            ),
        ]  # fmt: skip
    parts.append(
        f"Plot: `reports/{report['plot']}` (answered p95 against offered rate, one line per "
        "worker count, the 300 ms goal dashed).\n\n"
        "Loopback, the load generator on the same cores. Traffic: patients arrive as a Poisson "
        "process, each has one conversation of 2-6 turns from eval/bench/conversations.yml with "
        f"{settings['think_seconds']} s (uniform) between a reply and the next message, each "
        f"conversation a new sender. Each rate: {settings['warmup_seconds']} s warm-up, then "
        f"{settings['window_seconds']} s measured; held = p95 <= {MAX_P95_MS:.0f} ms, no error "
        "and none busy. An error is a failed request, a non-200 answer other than the busy 503, "
        'an empty reply or the gateway\'s "could not answer just now". Patients at once = '
        "capacity x 20 s between a patient's messages. "
        f"One at a time: {settings['rounds']} rounds of the conversations, the paths "
        "interleaved with the first one changing every message, after one warm-up round."
    )
    return "\n\n".join(parts)


_LADDER_HEADERS = [
    "offered msg/s", "measured", "p50 ms", "p95 ms", "p99 ms", "busy", "errors", "held",
]  # fmt: skip
