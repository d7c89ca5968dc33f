"""The bench's traffic, counting and verdicts, on a fake server and on fixed numbers."""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from bot.gateway.tokens import TOKEN_HEADER
from eval.bench import capacity as capacity_module
from eval.bench.arrivals import Traffic, offer, patients
from eval.bench.capacity import Steps, capacity, held, ladder, patients_at_once
from eval.bench.load import Tally, back_to_back, compare_paths, percentile, send
from eval.bench.processes import processor_seconds, resident_mb, role_of
from eval.bench.verdicts import gateway_cost, growth, overload_ok, render, rows

CONVERSATIONS = [["hi", "what is a bone scan"], ["what is an MRI", "what can it miss", "bye"]]
WARNING_SIGN = "I have new back pain and my legs feel weak"
EMERGENCY = (
    "You mentioned back pain. I can't check symptoms, and this should not wait. Please call your "
    "care team now at 555-0100. If it is an emergency, call 911. For a mental health crisis, "
    "call or text 988. When you are safe, I can go on with your questions."
)


class FakeServer:
    """Answers like the gateway: a new sender's first reply carries a conversation token that
    every later message must send back (401 otherwise); some messages fail in their own way."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, str]] = []
        self.tokens: dict[str, str] = {}

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.received.append((request.url.host, body["sender"], body["message"]))
        sender, headers = body["sender"], {}
        if sender not in self.tokens:
            self.tokens[sender] = headers[TOKEN_HEADER] = f"token-{len(self.tokens)}"
        elif request.headers.get(TOKEN_HEADER) != self.tokens[sender]:
            return httpx.Response(401, json={"error": "unauthorized"})
        return self.answer(body["message"], headers)

    def answer(self, message: str, headers: dict[str, str]) -> httpx.Response:
        if message == "broken":
            return httpx.Response(500)
        if message == "silent":
            return httpx.Response(200, json=[], headers=headers)
        if message == "stuck":
            unavailable = {"custom": {"gateway_reply": "unavailable"}}
            replies = [{"text": "I could not answer just now."}, unavailable]
            return httpx.Response(200, json=replies, headers=headers)
        if message == "crowded":
            return httpx.Response(503, json={"error": "busy", "detail": "busy"})
        if message == WARNING_SIGN:
            return httpx.Response(200, json=[{"text": EMERGENCY}], headers=headers)
        return httpx.Response(200, json=[{"text": "ok"}], headers=headers)


def transport(server: FakeServer) -> httpx.MockTransport:
    return httpx.MockTransport(server.handler)


def test_percentile_is_nearest_rank_of_measured_values():
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(values, 50) == 3.0
    assert percentile(values, 95) == 5.0
    assert percentile(values, 0) == 1.0
    assert percentile([], 50) is None


def test_tally_summary_counts_busy_and_errors_with_the_messages_and_gives_milliseconds():
    tally = Tally(answered=[0.1, 0.2, 0.3], shed=[0.01], errors={"HTTP 500": 1}, seconds=2.0)
    summary = tally.summary()
    assert (summary["messages"], summary["shed"], summary["errors"]) == (5, 1, 1)
    assert (summary["offered_per_s"], summary["answered_per_s"]) == (2.5, 1.5)
    assert (summary["p50_ms"], summary["p95_ms"], summary["shed_max_ms"]) == (200.0, 300.0, 10.0)


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("hi", "answered"),
        ("crowded", "shed"),
        ("broken", "HTTP 500"),
        ("silent", "empty reply"),
        ("stuck", "could not answer"),
    ],
)
async def test_each_answer_is_counted_as_answered_busy_or_an_error(message, kind):
    tally = Tally()
    async with httpx.AsyncClient(transport=transport(FakeServer())) as http:
        await send(http, "http://gateway/webhook", "p1", message, tally)
    counted = {"answered": len(tally.answered), "shed": len(tally.shed), **tally.errors}
    assert {k: v for k, v in counted.items() if v} == {kind: 1}


async def test_a_warning_sign_counts_only_when_the_emergency_reply_came_back():
    tally = Tally()
    async with httpx.AsyncClient(transport=transport(FakeServer())) as http:
        await send(http, "http://gateway/webhook", "p1", WARNING_SIGN, tally)
        await send(http, "http://gateway/webhook", "p2", "hi", tally)
    assert (tally.warning_signs, tally.emergency_replies) == (1, 1)


def test_poisson_patients_offer_the_rate_asked_from_the_first_second():
    found = patients(20.0, 600.0, CONVERSATIONS, Traffic(), random.Random(1))
    times = [at for p in found for at, _ in p.turns if 0 <= at < 600.0]
    assert len(times) / 600.0 == pytest.approx(20.0, rel=0.05)
    first_minute = sum(1 for at in times if at < 60.0) / 60.0
    assert first_minute == pytest.approx(20.0, rel=0.2)
    assert len({p.sender for p in found}) == len(found)
    gaps = [b[0] - a[0] for p in found for a, b in zip(p.turns, p.turns[1:], strict=False)]
    assert min(gaps) >= 5.0
    assert max(gaps) <= 30.0
    assert statistics.fmean(gaps) == pytest.approx(17.5, rel=0.05)


async def offer_briefly(server: FakeServer, **more) -> Tally:
    """200 msg/s for a 0.2 s warm-up and a 0.4 s window, patients thinking 10-50 ms."""
    return await offer(
        "http://gateway/webhook",
        200.0,
        CONVERSATIONS,
        warmup_seconds=0.2,
        window_seconds=0.4,
        traffic=Traffic(think_seconds=(0.01, 0.05)),
        transport=transport(server),
        **more,
    )


async def test_offer_measures_only_the_window_each_patient_talking_in_order():
    server = FakeServer()
    tally = await offer_briefly(server)
    assert tally.errors == {}
    assert 0 < tally.sent < len(server.received)
    assert tally.seconds == 0.4
    by_sender: dict[str, list[str]] = {}
    for _, sender, message in server.received:
        by_sender.setdefault(sender, []).append(message)
    # A patient may have started before the run and is cut off at its end: a stretch of turns.
    for said in by_sender.values():
        assert any(said == c[n : n + len(said)] for c in CONVERSATIONS for n in range(len(c)))


async def test_back_to_back_senders_each_send_their_conversations():
    server = FakeServer()
    tally = await back_to_back("http://rasa/webhook", CONVERSATIONS, 3, 2, transport(server))
    assert tally.sent == len(server.received) == 3 * (2 + 3)
    assert len({sender for _, sender, _ in server.received}) == 3 * 2


async def test_paths_get_the_same_messages_interleaved_the_first_changing_each_time():
    server = FakeServer()
    urls = {"gateway": "http://gateway/webhook", "direct": "http://rasa/webhook"}
    tallies = await compare_paths(urls, CONVERSATIONS, rounds=2, transport=transport(server))
    assert [h for h, _, _ in server.received[:4]] == ["gateway", "rasa", "rasa", "gateway"]
    by_host = {h: [m for host, _, m in server.received if host == h] for h in ("gateway", "rasa")}
    assert by_host["gateway"] == by_host["rasa"] == [m for c in CONVERSATIONS for m in c] * 2
    gateway_senders = {s for h, s, _ in server.received if h == "gateway"}
    rasa_senders = {s for h, s, _ in server.received if h == "rasa"}
    assert not gateway_senders & rasa_senders
    assert all(len(t.answered) == 10 for t in tallies.values())


def step(rate: float, p95: float | None, errors: int = 0, shed: int = 0) -> dict:
    return {"rate": rate, "p95_ms": p95, "errors": errors, "shed": shed}


def test_a_rate_is_held_only_fast_and_without_errors_or_busy_answers():
    assert held(step(30, 300.0))
    assert not held(step(30, 301.0))
    assert not held(step(30, 100.0, errors=1))
    assert not held(step(30, 100.0, shed=1))
    assert capacity([step(10, 50.0), step(20, 400.0), step(15, 200.0)]) == 15
    assert capacity([step(10, 400.0)]) is None
    assert patients_at_once(40.0) == 800


async def test_ladder_climbs_until_a_rate_fails_then_tries_the_midpoint(monkeypatch):
    offered = []

    async def fake_rate(url, rate, conversations, steps, seed):
        offered.append(rate)
        return step(rate, rate * 10.0)  # p95 grows with the rate: 30 held, 40 not

    monkeypatch.setattr(capacity_module, "run_rate", fake_rate)
    done = await ladder("http://gateway", [10, 20, 30, 40, 50], CONVERSATIONS, Steps())
    assert offered == [10, 20, 30, 40, 35]
    assert capacity(done) == 30
    assert [s["rate"] for s in done] == [10, 20, 30, 35, 40]


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


@contextmanager
def fake_supervisor(script: str) -> Iterator[int]:
    supervisor = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        yield supervisor.pid
    finally:
        os.killpg(supervisor.pid, signal.SIGKILL)
        supervisor.wait()


def read_once_started(read: Callable[[int], dict], pid: int, parts: int) -> dict:
    """The first reading that names `parts` processes (the children take a moment to start)."""
    deadline = time.monotonic() + 20
    while len(found := read(pid)) < parts and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_memory_is_reported_for_each_child_of_the_supervisor_by_role():
    with fake_supervisor(SUPERVISOR) as pid:
        sizes = read_once_started(resident_mb, pid, 4)
        assert set(sizes) == {"supervisor", "rasa", "rasa#2", "actions"}
        assert all(size > 1 for size in sizes.values())


BUSY_SUPERVISOR = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "while True: pass", "rasa"])
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "rasa_sdk"])
time.sleep(60)
"""


def test_processor_time_is_read_for_each_role_and_for_the_load_generator():
    with fake_supervisor(BUSY_SUPERVISOR) as pid:
        first = read_once_started(processor_seconds, pid, 3)
        time.sleep(1.0)
        last = processor_seconds(pid)
        assert {"rasa", "actions", "load generator"} <= set(last)
        # The busy child used a good part of a core in that second, even on a machine busy with
        # other tests; the sleeping one almost nothing.
        assert last["rasa"] - first["rasa"] > 0.2
        assert last["actions"] - first["actions"] < 0.1


async def test_a_metered_window_gives_each_part_its_processor_ms_a_message():
    readings = iter([{"rasa": 10.0, "gateway": 2.0}, {"rasa": 10.5, "gateway": 2.1}])
    tally = await offer_briefly(FakeServer(), meter=lambda: next(readings))
    cost = tally.summary()["cpu_ms"]
    assert cost["rasa"] == pytest.approx(500 / tally.sent, abs=0.01)
    assert cost["gateway"] == pytest.approx(100 / tally.sent, abs=0.01)


def test_gateway_cost_is_the_difference_of_p50s_in_milliseconds():
    assert gateway_cost({"gateway": {"p50_ms": 26.5}, "direct": {"p50_ms": 24.0}}) == 2.5
    assert gateway_cost({"gateway": {"p50_ms": None}, "direct": {"p50_ms": 40.0}}) is None


def test_memory_growth_is_relative_to_the_first_sample():
    samples = [{"rasa": 500.0, "gateway": 100.0}, {"rasa": 520.0, "gateway": 90.0}]
    assert growth(samples) == {"rasa": 0.04, "gateway": -0.1}


def summary(p50: float, p95: float, **more) -> dict:
    return {"p50_ms": p50, "p95_ms": p95, "p99_ms": p95, "messages": 100, "errors": 0,
            "shed": 0, "offered_per_s": 1.0, "answered_per_s": 40.0} | more  # fmt: skip


def overload_step(factor: float, **more) -> dict:
    return {"factor": factor, "rate": 40 * factor, "shed_max_ms": 20.0, "warning_signs": 5,
            "emergency_replies": 5} | summary(100.0, 200.0, answered_per_s=38.0) | more  # fmt: skip


def report(p95_at_50: float, soak_errors: int, rasa_end_mb: float) -> dict:
    return {
        "paths": {
            "gateway": summary(25.0, 60.0),
            "direct": summary(23.0, 50.0),
            "sample bot": summary(22.0, 40.0),
        },
        "back_to_back": {"direct": summary(1, 1), "sample bot": summary(1, 1)},
        "back_to_back_senders": 50,
        "ladder": [step(10, 50.0), step(40, 250.0), step(50, p95_at_50)],
        "overload": [overload_step(1.5), overload_step(2.0)],
        "soak": {"rate": 32.0, "seconds": 120.0} | summary(50.0, 100.0, errors=soak_errors),
        "scaled": None,
        "train_seconds": 95.0,
        "sample_bot_train_seconds": 120.0,
        "start_to_healthy_seconds": 20.0,
        # Idle, then the soak's start after the overload (higher), then its end.
        "rss_mb": [
            {"rasa": 500.0, "gateway": 80.0},
            {"rasa": 600.0, "gateway": 100.0},
            {"rasa": rasa_end_mb, "gateway": 100.0},
        ],
        "rss_soak_from": 1,
    }


def verdicts(report: dict) -> dict[str, str]:
    return {row[0].split(" (")[0]: row[3] for row in rows(report) if row[3]}


def test_the_report_says_what_a_message_costs_and_the_ceiling_it_sets():
    costly = report(400.0, 0, 610.0) | {
        "cpus": 2,
        "finished": "today",
        "load_average_before": 0.1,
        "load_average_after": 1.0,
        "total_seconds": 1,
        "plot": "p.png",
        "settings": {"think_seconds": [5, 30], "warmup_seconds": 30, "window_seconds": 60,
                     "rounds": 2},
    }  # fmt: skip
    costly["ladder"] = [summary(50.0, s["p95_ms"]) | s for s in costly["ladder"]]
    costly["ladder"][1]["cpu_ms"] = {"rasa": 22.0, "gateway": 6.0, "load generator": 4.0}
    text = render(costly)
    assert "rasa 22, gateway 6, load generator 4; 32.0 in all" in text
    assert "2 cores busy all the time would give at most 62.5 msg/s" in text


def test_every_goal_is_met_by_a_fast_steady_run():
    assert set(verdicts(report(400.0, 0, 610.0)).values()) == {"yes"}


def test_memory_that_rose_with_the_load_before_the_soak_is_no_leak():
    # 20 % and 25 % above idle, flat over the soak.
    assert verdicts(report(400.0, 0, 600.0))["RSS over the soak, start -> end"] == "yes"
    no_soak = report(400.0, 0, 600.0) | {"soak": None, "rss_soak_from": 0}
    assert verdicts(no_soak)["RSS first -> last sample of the load"] == "NO"


def test_low_capacity_leaky_memory_and_soak_errors_each_miss_their_goal():
    slow = report(400.0, 3, 700.0)
    slow["ladder"] = [step(10, 50.0), step(20, 400.0)]
    missed = verdicts(slow)
    assert missed["capacity, 1 worker"] == "NO"
    assert missed["RSS over the soak, start -> end"] == "NO"
    assert [v for k, v in missed.items() if k.startswith("soak")] == ["NO"]
    assert missed["gateway's own cost"] == "yes"


def test_overload_misses_when_a_warning_sign_or_a_slow_busy_answer_goes_wrong():
    assert all(overload_ok(overload_step(2.0), 40.0).values())
    missed_sign = overload_ok(overload_step(2.0, emergency_replies=4), 40.0)
    assert [name for name, ok in missed_sign.items() if not ok] == ["warning signs"]
    slow_busy = overload_ok(overload_step(2.0, shed_max_ms=80.0), 40.0)
    assert [name for name, ok in slow_busy.items() if not ok] == ["busy answers"]
    starved = overload_ok(overload_step(2.0, answered_per_s=30.0), 40.0)
    assert [name for name, ok in starved.items() if not ok] == ["throughput"]
