"""Admission control: at most a few messages in flight at each Rasa worker.

A Rasa worker answers one message at a time on its CPU; messages sent to it beyond what it can
take only queue there, and past its capacity the queue grows until everyone waits seconds and
many time out (issue 23 measured 8.8 s p95 at 45 msg/s on one worker that held 40). So the
gateway lets at most `slots_per_worker` messages be in flight at each worker. A message that
finds its worker full takes a slot at another worker (any worker can answer any conversation),
else waits briefly for one to free; if none does, it is turned away at once with a 503 and
Retry-After, which the widget shows as "busy, trying again in N s" and resends by itself.
Messages with a warning sign are never turned away: they are first in line for a freed slot,
and if none frees the gateway gives its own emergency reply (routes/chat.py).

A burst is not a standing queue. Patients arrive at random, so even well within capacity a few
arrive together now and then, and a fixed bound turned some of them away: 8 of 4,131 messages
at 35 msg/s with 10 slots, where 20 slots turned away none and kept p95 at 171 ms. Past
capacity, though, every slot stays taken, and each message waits for all those ahead of it:
8 slots keep that wait under 300 ms (p95 250 ms at 70 msg/s; 10 let it reach 279 ms). So
each worker's load is averaged over about a second, as the arriving messages find it: while it
is under 60 % of the slots, the worker may take up to `burst_slots_per_worker`; once it is
higher, the queue is standing, the bound is `slots_per_worker`, and a message that finds no
slot is turned away at once instead of after the wait (a busy answer should come fast; the
slot freed next goes to the next arrival).

With REDIS_URL set (several gateway processes) the slots are shared through Redis, so the bound
holds at each worker whichever process a message reaches; each slot expires on its own should
its process die. If Redis fails, each process keeps the bound by itself meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from redis.exceptions import RedisError

from bot.gateway.errors import ApiError
from bot.gateway.redis_client import redis_client
from settings.bot import Settings

logger = logging.getLogger(__name__)

# What the widget is told: come back in this many seconds (it adds up to half again, at random,
# so the patients turned away in one burst do not all come back together).
RETRY_AFTER_SECONDS = 5
# Waiting for a slot another gateway process frees: how often to look again.
SHARED_POLL_SECONDS = 0.005
SLOT_EXPIRY_MARGIN_SECONDS = 5.0
# A worker's load is the messages in flight there as arriving messages find them, averaged
# over about this long: long enough to tell a standing queue from a burst, short enough to see
# one form within a second.
LOAD_AVERAGE_SECONDS = 1.0
# Below this share of its slots on average, a worker is taking a burst and may take more.
BURST_LOAD_SHARE = 0.6
_KEY_PREFIX = "gateway:admission:"
# Takes a slot if fewer than ARGV[1] are held and unexpired; slots are scored by expiry time.
# Answers whether it took one, and how many were held before.
_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local held = redis.call('ZCARD', KEYS[1])
if held < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return {1, held}
end
return {0, held}
"""


class Busy(Exception):
    """No slot freed in time: the message was not sent to Rasa."""


def busy_error() -> ApiError:
    """The answer to a message turned away: the widget counts down and sends it again."""
    return ApiError(
        503,
        "busy",
        f"The assistant is busy. Please try again in {RETRY_AFTER_SECONDS} seconds.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


@dataclass(frozen=True)
class Ticket:
    worker: str
    token: str
    shared: bool


@dataclass
class Load:
    """Messages in flight at one worker, averaged over about LOAD_AVERAGE_SECONDS."""

    average: float = 0.0
    seen_at: float | None = None

    def see(self, in_flight: int, now: float) -> None:
        # Weighted by the time since the last look: messages arrive at random (Poisson), so
        # what they find averages to the load over time.
        since = LOAD_AVERAGE_SECONDS if self.seen_at is None else now - self.seen_at
        self.average += (in_flight - self.average) * (1 - math.exp(-since / LOAD_AVERAGE_SECONDS))
        self.seen_at = now


class Admission:
    def __init__(
        self,
        slots_per_worker: int,
        wait_seconds: float,
        slot_expiry_seconds: float,
        redis_url: str = "",
        waiting_per_worker: int | None = None,
        burst_slots_per_worker: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`slot_expiry_seconds`: longer than any message may take at Rasa. A shared slot is
        held no longer, so a gateway process that dies does not keep its slots.
        `burst_slots_per_worker`: the bound while a worker's load is low (none above
        `slots_per_worker` if it is not more)."""
        self.slots_per_worker = slots_per_worker
        self._burst_slots = max(burst_slots_per_worker, slots_per_worker)
        self._loads: dict[str, Load] = {}
        self._wait = wait_seconds
        # None: no bound on the line (each waits its time out).
        self._waiting_per_worker = waiting_per_worker
        self._expiry = slot_expiry_seconds
        self._clock = clock
        self._redis = redis_client(redis_url) if redis_url else None
        self._held: dict[str, int] = {}
        self._waiting: dict[bool, deque[asyncio.Future[None]]] = {True: deque(), False: deque()}
        self._releases: set[asyncio.Task] = set()
        self.turned_away = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Admission | None:
        """None when the bound is off (ADMISSION_SLOTS_PER_WORKER=0)."""
        if not settings.admission_slots_per_worker:
            return None
        return cls(
            settings.admission_slots_per_worker,
            settings.admission_wait_seconds,
            # A message may be tried on a pooled and then a fresh connection, each within
            # Rasa's time limit; its slot outlives both.
            slot_expiry_seconds=2 * settings.rasa_timeout_seconds + SLOT_EXPIRY_MARGIN_SECONDS,
            redis_url=settings.redis_url,
            waiting_per_worker=settings.admission_waiting_per_worker,
            burst_slots_per_worker=settings.admission_burst_slots_per_worker,
        )

    async def close(self) -> None:
        if self._releases:
            await asyncio.gather(*self._releases, return_exceptions=True)
        if self._redis is not None:
            await self._redis.close()
            await self._redis.connection_pool.disconnect()

    async def enter(self, workers: Sequence[str], urgent: bool = False) -> Ticket:
        """A slot at the first of `workers` (in order of preference) that has one free, waiting
        up to the wait for one; Busy if none frees. `urgent` waiters get freed slots first."""
        deadline = self._clock() + self._wait
        while True:
            ticket = await self._first_free(workers)
            if ticket is not None:
                return ticket
            left = deadline - self._clock()
            if left <= 0 or (not urgent and (self._standing(workers) or self._line_full(workers))):
                self.turned_away += 1
                raise Busy()
            await self._until_freed(left if self._redis is None else SHARED_POLL_SECONDS, urgent)

    async def _first_free(self, workers: Sequence[str]) -> Ticket | None:
        """Each worker's own slots first, in order of preference; a burst goes past them only
        once every worker's are taken, so that it spreads over the workers instead of piling
        on the preferred one while another has slots free."""
        for worker in workers:
            ticket = await self._take(worker, self.slots_per_worker)
            if ticket is not None:
                return ticket
        if self._burst_slots > self.slots_per_worker:
            for worker in workers:
                if self._taking_a_burst(worker):
                    ticket = await self._take(worker, self._burst_slots)
                    if ticket is not None:
                        return ticket
        return None

    def turns_away_at_once(self, workers: Sequence[str]) -> bool:
        """Past capacity, with no slot free at any of `workers`: a message other than a warning
        sign would be turned away at once, so it is, before the gateway does any work for it
        (a new conversation's token costs three trips to the store). Counted as turned away."""
        if not self._standing(workers):
            return False
        # What this process holds itself: all there is without Redis, and a floor with it. Not
        # what Redis said last: a message turned away here asks Redis nothing, so once another
        # process had held every slot, that answer was never renewed and every message after
        # was turned away for good. Should the floor be short, `enter` asks Redis.
        if any(self._held.get(worker, 0) < self.slots_per_worker for worker in workers):
            return False
        self.turned_away += 1
        return True

    def _line_full(self, workers: Sequence[str]) -> bool:
        """Already as many waiting as may: past capacity, a busy answer now beats one later."""
        if self._waiting_per_worker is None:
            return False
        waiting = sum(not w.done() for w in self._waiting[False])
        return waiting >= self._waiting_per_worker * len(workers)

    def _standing(self, workers: Sequence[str]) -> bool:
        """Every worker's queue is standing, not a burst: waiting would only delay the busy
        answer."""
        return all(not self._taking_a_burst(worker) for worker in workers)

    def _taking_a_burst(self, worker: str) -> bool:
        load = self._loads.get(worker)
        return load is None or load.average < BURST_LOAD_SHARE * self.slots_per_worker

    def _see(self, worker: str, in_flight: int) -> None:
        self._loads.setdefault(worker, Load()).see(in_flight, self._clock())

    def leave(self, ticket: Ticket) -> None:
        """The message is answered (or given up on by Rasa): its slot is free."""
        self._held[ticket.worker] -= 1
        if ticket.shared:
            task = asyncio.create_task(self._give_back(ticket))
            self._releases.add(task)
            task.add_done_callback(self._releases.discard)
        self._wake_one()

    async def in_flight(self, workers: Sequence[str]) -> dict[str, int]:
        """Messages in flight at each worker: from every gateway process when shared."""
        if self._redis is not None:
            try:
                now = time.time()
                return {
                    worker: await self._redis.zcount(_KEY_PREFIX + worker, now, "+inf")
                    for worker in workers
                }
            except (RedisError, OSError):
                pass
        return {worker: self._held.get(worker, 0) for worker in workers}

    async def _take(self, worker: str, bound: int) -> Ticket | None:
        """A slot at `worker` if fewer than `bound` are taken there."""
        if self._redis is not None:
            try:
                return await self._take_shared(worker, bound)
            except (RedisError, OSError) as error:
                logger.warning("admission slots not shared, Redis failed: %s", type(error).__name__)
        held = self._held.get(worker, 0)
        self._see(worker, held)
        if held >= bound:
            return None
        self._held[worker] = held + 1
        return Ticket(worker, "", shared=False)

    async def _take_shared(self, worker: str, bound: int) -> Ticket | None:
        # Wall-clock time: the expiry must mean the same in every gateway process.
        now, token = time.time(), uuid.uuid4().hex
        taken, held = await self._redis.eval(
            _TAKE,
            1,
            _KEY_PREFIX + worker,
            bound,
            now,
            now + self._expiry,
            token,
            round(self._expiry * 1000),
        )
        self._see(worker, held)
        if not taken:
            return None
        self._held[worker] = self._held.get(worker, 0) + 1
        return Ticket(worker, token, shared=True)

    async def _give_back(self, ticket: Ticket) -> None:
        try:
            await self._redis.zrem(_KEY_PREFIX + ticket.worker, ticket.token)
        except (RedisError, OSError) as error:
            # The slot expires by itself; until then the bound is one lower.
            logger.warning("could not free an admission slot: %s", type(error).__name__)

    async def _until_freed(self, seconds: float, urgent: bool) -> None:
        waiter = asyncio.get_running_loop().create_future()
        line = self._waiting[urgent]
        line.append(waiter)
        try:
            await asyncio.wait_for(waiter, seconds)
        except asyncio.TimeoutError:
            pass
        finally:
            if waiter in line:
                line.remove(waiter)

    def _wake_one(self) -> None:
        for urgent in (True, False):
            line = self._waiting[urgent]
            while line:
                waiter = line.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
