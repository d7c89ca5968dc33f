"""Idempotent sends shared through a real Redis, as between two gateway processes: a resend
that reaches the other process gets the first reply and nothing is answered twice."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.gateway.idempotency import IdempotentSends, StoredReply
from tests.bot.gateway.test_idempotency import Answers


@pytest.fixture
async def gateways(datastores) -> AsyncIterator[list[IdempotentSends]]:
    """Three gateway processes' memories of sends, on the one Redis."""
    _, redis = datastores
    processes = [IdempotentSends(in_flight_seconds=5, redis_url=redis.url) for _ in range(3)]
    yield processes
    for process in processes:
        await process.close()


def new_sender() -> str:
    return f"shared-{uuid.uuid4().hex[:8]}"


async def test_resend_to_another_process_gets_the_first_reply(gateways):
    first, other, _ = gateways
    sender, answers = new_sender(), Answers()
    reply = await first.run(sender, "k1", answers)
    assert await other.run(sender, "k1", answers) == reply
    assert answers.made == 1


async def test_resend_to_another_process_during_the_first_waits_for_its_reply(gateways):
    first, other, third = gateways
    sender, answers = new_sender(), Answers()
    answers.release.clear()
    answering = asyncio.create_task(first.run(sender, "k1", answers))
    await asyncio.sleep(0.1)
    waiting = [asyncio.create_task(g.run(sender, "k1", answers)) for g in (other, third)]
    await asyncio.sleep(0.3)
    assert not any(task.done() for task in waiting)
    answers.release.set()
    replies = await asyncio.gather(answering, *waiting)
    assert replies[0] == replies[1] == replies[2] == StoredReply(200, [{"text": "answer 1"}])
    assert answers.made == 1


async def test_failed_answer_lets_a_resend_to_another_process_answer_at_once(gateways):
    first, other, _ = gateways
    sender, answers = new_sender(), Answers()
    answers.fail = True
    with pytest.raises(RuntimeError):
        await first.run(sender, "k1", answers)
    answers.fail = False
    reply = await asyncio.wait_for(other.run(sender, "k1", answers), timeout=2)
    assert reply.body == [{"text": "answer 2"}]


async def test_same_key_from_another_sender_is_answered_again(gateways):
    first, other, _ = gateways
    answers = Answers()
    await first.run(new_sender(), "k1", answers)
    await other.run(new_sender(), "k1", answers)
    assert answers.made == 2
