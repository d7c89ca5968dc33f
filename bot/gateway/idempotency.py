"""Idempotent sends: a message resent with the same key gets the first reply, and acts once.

The widget sends each message with an `Idempotency-Key` and resends it with the same key when
an answer does not come (a timeout, a dropped connection). Within the window, a resend from the
same sender with the same key gets the first request's reply back; while the first is still
being answered the resend waits for it. Either way Rasa sees the message once, so a nurse alert
is never sent twice.

Each gateway process remembers replies in a bounded, expiring map. With REDIS_URL set (several
gateway processes), the reply is shared through Redis as well: the first process claims the key
with a short-lived "pending" marker and replaces it with the reply; another process that finds
the marker polls until the reply is there. If Redis fails, each process falls back on its own
map, which still covers the usual resend: to the same process, a few seconds later.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from redis.exceptions import RedisError

from bot.gateway.redis_client import redis_client

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 120.0
MAX_REMEMBERED = 10_000
KEY_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
POLL_SECONDS = 0.1
_PENDING = b"pending"


@dataclass(frozen=True)
class StoredReply:
    status: int
    body: Any
    # Kept with the reply: the first reply of a conversation carries its token, which a
    # resend must get too (bot/gateway/tokens.py).
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Entry:
    answer: asyncio.Task[StoredReply]
    expires: float


class IdempotentSends:
    def __init__(
        self,
        in_flight_seconds: float,
        redis_url: str = "",
        window_seconds: float = WINDOW_SECONDS,
        max_remembered: int = MAX_REMEMBERED,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`in_flight_seconds`: longer than any answer may take. Another process's claim is
        held no longer, so if that process dies a resend is answered, not kept waiting."""
        self._in_flight = in_flight_seconds
        self._window = window_seconds
        self._max = max_remembered
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._redis = redis_client(redis_url) if redis_url else None

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.close()
            await self._redis.connection_pool.disconnect()

    async def run(
        self, sender: str, key: str, answer: Callable[[], Awaitable[StoredReply]]
    ) -> StoredReply:
        """The reply to (sender, key): remembered, awaited, or made now by `answer()`."""
        now = self._clock()
        entry = self._entries.get((sender, key))
        if entry is None or entry.expires <= now:
            # A task of its own: a request that goes away (the browser gave up) does not stop
            # the answer, which a resend then gets.
            task = asyncio.create_task(self._shared_run(sender, key, answer))
            entry = _Entry(task, now + self._window)
            self._remember((sender, key), entry)
            task.add_done_callback(lambda done: self._forget_failed((sender, key), entry))
        return await asyncio.shield(entry.answer)

    def _remember(self, slot: tuple[str, str], entry: _Entry) -> None:
        self._entries[slot] = entry
        if len(self._entries) <= self._max:
            return
        now = self._clock()
        for stale in [k for k, e in self._entries.items() if e.expires <= now]:
            del self._entries[stale]
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def _forget_failed(self, slot: tuple[str, str], entry: _Entry) -> None:
        """An answer that raised is not remembered: a resend tries again."""
        failed = entry.answer.cancelled() or entry.answer.exception() is not None
        if failed and self._entries.get(slot) is entry:
            del self._entries[slot]

    async def _shared_run(
        self, sender: str, key: str, answer: Callable[[], Awaitable[StoredReply]]
    ) -> StoredReply:
        if self._redis is None:
            return await answer()
        name = _redis_key(sender, key)
        try:
            found = await self._claim_or_wait(name)
        except (RedisError, OSError) as error:
            logger.warning("idempotency keys not shared, Redis failed: %s", type(error).__name__)
            return await answer()
        if found is not None:
            return found
        try:
            reply = await answer()
        except BaseException:
            with contextlib.suppress(RedisError, OSError):
                await self._redis.delete(name)
            raise
        stored = json.dumps({"status": reply.status, "body": reply.body, "headers": reply.headers})
        try:
            await self._redis.set(name, stored, ex=round(self._window))
        except (RedisError, OSError) as error:
            logger.warning("could not share a reply through Redis: %s", type(error).__name__)
        return reply

    async def _claim_or_wait(self, name: str) -> StoredReply | None:
        """None once this process holds the claim; the stored reply if another one made it."""
        while True:
            if await self._redis.set(name, _PENDING, nx=True, ex=math.ceil(self._in_flight)):
                return None
            value = await self._redis.get(name)
            if value is not None and value != _PENDING:
                stored = json.loads(value)
                return StoredReply(stored["status"], stored["body"], stored.get("headers", {}))
            # Pending elsewhere (or just expired: the next round claims it).
            await asyncio.sleep(POLL_SECONDS)


def _redis_key(sender: str, key: str) -> str:
    digest = hashlib.blake2b(f"{sender}\n{key}".encode(), digest_size=16).hexdigest()
    return f"gateway:sent:{digest}"
