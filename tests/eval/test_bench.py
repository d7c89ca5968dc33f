"""The bench's counting and verdicts, on a fake server and on fixed numbers."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from eval.bench.load import Tally, compare_paths, percentile, run_patients
from eval.bench.memory import resident_mb, role_of
from eval.bench.verdicts import growth, overhead, rows

CONVERSATIONS = [["hi", "what is a bone scan"], ["what is an MRI", "bye"]]


class FakeServer:
    """Answers like Rasa's REST channel; `broken` and `silent` messages fail in their own way."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, str]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.received.append((request.url.host, body["sender"], body["message"]))
        if body["message"] == "broken":
            return httpx.Response(500)
        if body["message"] == "silent":
            return httpx.Response(200, json=[])
        return httpx.Response(200, json=[{"text": "ok"}])


def test_percentile_is_nearest_rank_of_measured_values():
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(values, 50) == 3.0
    assert percentile(values, 95) == 5.0
    assert percentile(values, 0) == 1.0
    assert percentile([], 50) is None


def test_tally_summary_counts_errors_with_the_messages_and_gives_milliseconds():
    tally = Tally(latencies=[0.1, 0.2, 0.3], errors={"HTTP 500": 1}, seconds=2.0)
    summary = tally.summary()
    assert (summary["messages"], summary["errors"], summary["throughput_per_s"]) == (4, 1, 2.0)
    assert (summary["p50_ms"], summary["p95_ms"]) == (200.0, 300.0)


def test_patients_each_have_their_conversations_with_a_new_sender_per_conversation():
    server = FakeServer()
    tally = asyncio.run(
        run_patients(
            "http://gateway/webhooks/rest/webhook",
            CONVERSATIONS,
            patients=3,
            think_seconds=0,
            conversations_each=2,
            transport=httpx.MockTransport(server.handler),
        )
    )
    assert tally.sent == len(tally.latencies) == 3 * 2 * 2
    assert tally.errors == {}
    senders = [sender for _, sender, _ in server.received]
    assert len(set(senders)) == 3 * 2


def test_failed_requests_and_empty_replies_count_as_errors_not_latencies():
    server = FakeServer()
    tally = asyncio.run(
        run_patients(
            "http://gateway/webhooks/rest/webhook",
            [["hi", "broken", "silent"]],
            patients=2,
            think_seconds=0,
            conversations_each=1,
            transport=httpx.MockTransport(server.handler),
        )
    )
    assert tally.errors == {"HTTP 500": 2, "empty reply": 2}
    assert len(tally.latencies) == 2


def test_patients_stop_starting_conversations_after_the_duration():
    server = FakeServer()
    tally = asyncio.run(
        run_patients(
            "http://gateway/webhooks/rest/webhook",
            CONVERSATIONS,
            patients=2,
            think_seconds=0.01,
            duration_seconds=0.2,
            transport=httpx.MockTransport(server.handler),
        )
    )
    assert 0 < tally.sent < 200
    assert tally.seconds < 2


def test_paths_get_the_same_messages_interleaved_with_senders_of_their_own():
    server = FakeServer()
    urls = {"gateway": "http://gateway/webhook", "direct": "http://rasa/webhook"}
    tallies = asyncio.run(
        compare_paths(urls, CONVERSATIONS, rounds=2, transport=httpx.MockTransport(server.handler))
    )
    assert [h for h, _, _ in server.received[:4]] == ["gateway", "rasa", "gateway", "rasa"]
    by_host = {h: [m for host, _, m in server.received if host == h] for h in ("gateway", "rasa")}
    assert by_host["gateway"] == by_host["rasa"] == [m for c in CONVERSATIONS for m in c] * 2
    gateway_senders = {s for h, s, _ in server.received if h == "gateway"}
    rasa_senders = {s for h, s, _ in server.received if h == "rasa"}
    assert not gateway_senders & rasa_senders
    assert all(len(t.latencies) == 8 for t in tallies.values())


@pytest.mark.parametrize(
    ("cmdline", "role"),
    [
        ([".venv/bin/python", "-m", "rasa_sdk", "--actions", "actions"], "actions"),
        ([".venv/bin/python", "-m", "uvicorn", "bot.gateway.main:create_app"], "gateway"),
        ([".venv/bin/python", ".venv/bin/rasa", "run", "--model", "m.tar.gz"], "rasa"),
        (["/bin/sh"], "other"),
    ],
)
def test_processes_are_told_apart_by_command_line(cmdline, role):
    assert role_of(cmdline) == role


SUPERVISOR = """
import subprocess, sys, time
for marker in ("rasa", "rasa", "rasa_sdk"):
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
time.sleep(60)
"""


def test_memory_is_reported_for_each_child_of_the_supervisor_by_role():
    supervisor = subprocess.Popen([sys.executable, "-c", SUPERVISOR], start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while len(sizes := resident_mb(supervisor.pid)) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert set(sizes) == {"supervisor", "rasa", "rasa#2", "actions"}
        assert all(size > 1 for size in sizes.values())
    finally:
        os.killpg(supervisor.pid, signal.SIGKILL)
        supervisor.wait()


def test_gateway_overhead_is_the_ratio_of_p50s():
    assert overhead({"gateway": {"p50_ms": 46.0}, "direct": {"p50_ms": 40.0}}) == 1.15
    assert overhead({"gateway": {"p50_ms": None}, "direct": {"p50_ms": 40.0}}) is None


def test_memory_growth_is_relative_to_the_first_sample():
    samples = [{"rasa": 500.0, "gateway": 100.0}, {"rasa": 520.0, "gateway": 90.0}]
    assert growth(samples) == {"rasa": 0.04, "gateway": -0.1}


def report(p95_at_50: float, soak_errors: int, rasa_end_mb: float) -> dict:
    level = {"throughput_per_s": 9.0, "errors": 0, "messages": 100, "p95_ms": 120.0}
    return {
        "paths": {
            "gateway": {"p50_ms": 44.0, "p95_ms": 90.0, "messages": 40, "errors": 0},
            "direct": {"p50_ms": 40.0, "p95_ms": 80.0, "messages": 40, "errors": 0},
        },
        "patients": {"1": level, "50": level | {"p95_ms": p95_at_50}},
        "train_seconds": 95.0,
        "start_to_healthy_seconds": 60.0,
        "rss_after_load_mb": {"rasa": 600.0},
        "soak": {
            "seconds": 180.0,
            "patients": 10,
            "errors": soak_errors,
            "messages": 900,
            "p95_ms": 100.0,
            "rss_mb": [{"rasa": 600.0}, {"rasa": rasa_end_mb}],
        },
    }


def verdicts(report: dict) -> dict[str, str]:
    return {row[0]: row[3] for row in rows(report) if row[3]}


def test_every_goal_is_met_by_a_fast_steady_run():
    assert set(verdicts(report(450.0, 0, 610.0)).values()) == {"yes"}


def test_slow_p95_leaky_memory_and_soak_errors_each_miss_their_goal():
    missed = verdicts(report(650.0, 3, 700.0))
    assert missed["concurrent patients: 50"] == "NO"
    assert missed["soak RSS start -> end"] == "NO"
    assert [v for k, v in missed.items() if k.startswith("soak") and "errors" in k] == ["NO"]
    assert missed["gateway p50 / direct p50"] == "yes"
