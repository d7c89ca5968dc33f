"""Admission slots shared through a real Redis, as between two gateway processes: the bound on
messages in flight holds at each worker whichever process a message reaches."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.gateway.admission import Admission, Busy


@pytest.fixture
async def gateways(datastores) -> AsyncIterator[list[Admission]]:
    """Two gateway processes' admission, two slots a worker, on the one Redis."""
    _, redis = datastores
    processes = [
        Admission(2, wait_seconds=0.05, slot_expiry_seconds=1.0, redis_url=redis.url)
        for _ in range(2)
    ]
    yield processes
    for process in processes:
        await process.close()


def workers() -> list[str]:
    """Worker URLs of this test's own, so no other test's slots count."""
    run = uuid.uuid4().hex[:8]
    return [f"http://{run}-rasa-1:5005", f"http://{run}-rasa-2:5005"]


async def test_slots_taken_in_one_process_count_in_the_other(gateways):
    first, second = gateways
    rasa_1, rasa_2 = workers()
    held = [await first.enter([rasa_1]) for _ in range(2)]
    with pytest.raises(Busy):
        await second.enter([rasa_1])
    assert (await second.enter([rasa_1, rasa_2])).worker == rasa_2
    assert await second.in_flight([rasa_1, rasa_2]) == {rasa_1: 2, rasa_2: 1}
    first.leave(held[0])
    await asyncio.sleep(0.05)  # the slot is given back to Redis in the background
    assert (await second.enter([rasa_1])).worker == rasa_1


async def test_a_slot_of_a_process_that_died_frees_itself_after_its_expiry(gateways):
    first, second = gateways
    rasa_1, _ = workers()
    for _ in range(2):
        await first.enter([rasa_1])  # never left, as by a process that died
    with pytest.raises(Busy):
        await second.enter([rasa_1])
    await asyncio.sleep(1.1)
    assert (await second.enter([rasa_1])).worker == rasa_1


async def test_a_queue_another_process_held_does_not_turn_messages_away_once_it_is_gone(gateways):
    """The early busy check must not go by what Redis said last: it said so while the other
    process held every slot, and a message turned away asks Redis nothing, so once the queue
    had stood this process turned every message away for good (CI: all after 20 in parallel)."""
    first, second = gateways
    rasa_1, _ = workers()
    held = [await first.enter([rasa_1]) for _ in range(2)]
    for _ in range(20):  # a standing queue, as the second process sees it
        with pytest.raises(Busy):
            await second.enter([rasa_1])
    assert second.turns_away_at_once([rasa_1]) is False  # it holds none itself
    for ticket in held:
        first.leave(ticket)
    await asyncio.sleep(0.05)  # the slots are given back to Redis in the background
    assert (await second.enter([rasa_1])).worker == rasa_1
