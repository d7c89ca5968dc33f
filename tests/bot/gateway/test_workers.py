"""Routing conversations to Rasa workers: stable, spread out, and away from a dead worker."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.gateway.workers import DOWN_SECONDS, WorkerPool

URLS = ["http://rasa-1:5005", "http://rasa-2:5005", "http://rasa-3:5005"]
SENDERS = [f"patient-{n}" for n in range(3000)]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def preferred(pool: WorkerPool, sender: str) -> str:
    return pool.candidates(sender)[0]


def test_candidates_are_every_worker_once():
    assert sorted(WorkerPool(URLS).candidates("patient-7")) == sorted(URLS)


def test_same_sender_gets_same_worker_in_another_process():
    # Another interpreter has another string-hash salt; the choice must not depend on it.
    here = [preferred(WorkerPool(URLS), sender) for sender in SENDERS[:50]]
    code = (
        "from bot.gateway.workers import WorkerPool\n"
        f"pool = WorkerPool({URLS!r})\n"
        f"print('\\n'.join(pool.candidates(s)[0] for s in {SENDERS[:50]!r}))"
    )
    there = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345"},
    ).stdout.split()
    assert there == here


def test_senders_spread_evenly_over_workers():
    pool = WorkerPool(URLS)
    counts = {url: 0 for url in URLS}
    for sender in SENDERS:
        counts[preferred(pool, sender)] += 1
    assert all(abs(count - len(SENDERS) / 3) < len(SENDERS) * 0.05 for count in counts.values())


def test_removing_a_worker_moves_only_its_own_senders():
    before = WorkerPool(URLS)
    after = WorkerPool(URLS[:2])
    moved = [s for s in SENDERS if preferred(before, s) != preferred(after, s)]
    assert moved
    assert all(preferred(before, sender) == URLS[2] for sender in moved)


def test_worker_marked_down_is_tried_last_then_first_again_later():
    clock = Clock()
    pool = WorkerPool(URLS, clock=clock)
    order = pool.candidates("patient-7")
    pool.mark_down(order[0])
    assert pool.candidates("patient-7") == [*order[1:], order[0]]
    clock.now += DOWN_SECONDS + 0.1
    assert pool.candidates("patient-7") == order


def test_worker_marked_up_is_first_again_at_once():
    pool = WorkerPool(URLS)
    order = pool.candidates("patient-7")
    pool.mark_down(order[0])
    pool.mark_up(order[0])
    assert pool.candidates("patient-7") == order


def test_pool_without_workers_is_refused():
    with pytest.raises(ValueError):
        WorkerPool([])
