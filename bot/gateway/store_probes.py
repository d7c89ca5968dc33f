"""The gateway's own checks of the stores the Rasa workers share: Redis and PostgreSQL.

Rasa's REST channel answers 200 with an empty list when its lock store fails, and when the
tracker store fails Rasa carries on with a blank conversation (it wraps the store in a
`FailSafeTrackerStore`). Neither is an answer a patient should get, so before passing a message
on the gateway checks the stores itself and answers 503 when one is down. /healthz shows the
same checks.

A message does not wait for a check of its own: it goes by the latest result while that is at
most a second old, and a message that finds it older starts a new check in the background. Only
after a quiet spell (no check for STALE_SECONDS) does a message wait for one. So under traffic
the stores are checked about once a second, whatever the rate, and a store that fails is noticed
within about a second, as when each message checked them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import psycopg2
from redis.exceptions import RedisError

from bot.gateway.redis_client import redis_client
from bot.gateway.status import PartStatus
from settings.bot import Settings, postgres_dsn

POSTGRES_TIMEOUT_SECONDS = 2
FRESH_SECONDS = 1.0
STALE_SECONDS = 5.0


class StoreProbes:
    def __init__(
        self,
        redis_url: str = "",
        postgres_url: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = redis_client(redis_url) if redis_url else None
        self._postgres_dsn = postgres_dsn(postgres_url) if postgres_url else None
        self._clock = clock
        self._latest: tuple[float, dict[str, PartStatus]] | None = None
        self._checking: asyncio.Task[dict[str, PartStatus]] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> StoreProbes | None:
        """Probes for whichever shared stores are configured; None for SQLite without Redis."""
        tracker_store = settings.tracker_store_url
        postgres_url = tracker_store if postgres_dsn(tracker_store) else ""
        if not (settings.redis_url or postgres_url):
            return None
        return cls(settings.redis_url, postgres_url)

    async def close(self) -> None:
        if self._checking is not None:
            self._checking.cancel()
        if self._redis is not None:
            await self._redis.close()
            await self._redis.connection_pool.disconnect()

    async def recent_statuses(self) -> dict[str, PartStatus]:
        """For a message: the latest result, checked again in the background once it is a
        second old; a new check awaited only when none is recent."""
        if self._latest is None or self._clock() - self._latest[0] >= STALE_SECONDS:
            return await self.statuses()
        if self._clock() - self._latest[0] >= FRESH_SECONDS:
            self._start_check()
        return self._latest[1]

    async def statuses(self) -> dict[str, PartStatus]:
        """A check now (/healthz); callers at the same time share it."""
        return await asyncio.shield(self._start_check())

    def _start_check(self) -> asyncio.Task[dict[str, PartStatus]]:
        if self._checking is None or self._checking.done():
            self._checking = asyncio.create_task(self._check())
        return self._checking

    async def _check(self) -> dict[str, PartStatus]:
        checks = {}
        if self._redis is not None:
            checks["redis"] = self._check_redis()
        if self._postgres_dsn is not None:
            checks["postgres"] = asyncio.to_thread(self._connect_postgres)
        statuses = dict(zip(checks, await asyncio.gather(*checks.values()), strict=True))
        self._latest = (self._clock(), statuses)
        return statuses

    async def _check_redis(self) -> PartStatus:
        try:
            await self._redis.ping()
        except (RedisError, OSError):
            return PartStatus(False, "down")
        return PartStatus(True, "ok")

    def _connect_postgres(self) -> PartStatus:
        try:
            connection = psycopg2.connect(
                self._postgres_dsn, connect_timeout=POSTGRES_TIMEOUT_SECONDS
            )
        except psycopg2.Error:
            return PartStatus(False, "down")
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except psycopg2.Error:
            return PartStatus(False, "down")
        finally:
            connection.close()
        return PartStatus(True, "ok")
