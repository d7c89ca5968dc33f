"""After Redis restarts, the gateway's pooled connections to it are dead: a check or a shared
send must try again on a new connection, not report Redis down for each one of them."""

from __future__ import annotations

import asyncio

from bot.gateway.idempotency import IdempotentSends, StoredReply
from bot.gateway.store_probes import StoreProbes

PARALLEL = 10


async def test_redis_checks_right_after_a_restart_all_say_ok(datastores):
    _, redis = datastores
    probes = StoreProbes(redis_url=redis.url)
    try:
        # Many at once, so the pool holds many connections when Redis goes away.
        before = await asyncio.gather(*(probes.statuses() for _ in range(PARALLEL)))
        assert all(status["redis"].ok for status in before)
        redis.stop()
        redis.start()
        after = await asyncio.gather(*(probes.statuses() for _ in range(PARALLEL)))
        assert [status["redis"].detail for status in after] == ["ok"] * PARALLEL
    finally:
        await probes.close()


async def test_sends_right_after_a_restart_are_still_shared(datastores):
    _, redis = datastores
    first, other = (IdempotentSends(in_flight_seconds=5, redis_url=redis.url) for _ in range(2))
    made = []

    async def answer() -> StoredReply:
        made.append(1)
        return StoredReply(200, [{"text": "answer"}])

    try:
        await asyncio.gather(*(first.run("warm", f"k{n}", answer) for n in range(PARALLEL)))
        redis.stop()
        redis.start()
        await first.run("restart", "k1", answer)
        await other.run("restart", "k1", answer)
        assert len(made) == PARALLEL + 1
    finally:
        await first.close()
        await other.close()
