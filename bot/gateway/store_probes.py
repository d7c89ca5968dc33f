"""The gateway's own checks of the stores the Rasa workers share: Redis and PostgreSQL.

Rasa's REST channel answers 200 with an empty list when its lock store fails, and when the
tracker store fails Rasa carries on with a blank conversation (it wraps the store in a
`FailSafeTrackerStore`). Neither is an answer a patient should get, so before passing a message
on the gateway checks the stores itself and answers 503 when one is down. /healthz shows the
same checks.
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
# Each PostgreSQL check opens a connection (a server process), so one result serves every
# message for this long instead of costing one per message.
POSTGRES_RESULT_SECONDS = 1.0


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
        self._postgres_result: tuple[float, PartStatus] | None = None
        self._postgres_lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> StoreProbes | None:
        """Probes for whichever shared stores are configured; None for SQLite without Redis."""
        tracker_store = settings.tracker_store_url
        postgres_url = tracker_store if postgres_dsn(tracker_store) else ""
        if not (settings.redis_url or postgres_url):
            return None
        return cls(settings.redis_url, postgres_url)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.close()
            await self._redis.connection_pool.disconnect()

    async def statuses(self) -> dict[str, PartStatus]:
        checks = {}
        if self._redis is not None:
            checks["redis"] = self._check_redis()
        if self._postgres_dsn is not None:
            checks["postgres"] = self._check_postgres()
        return dict(zip(checks, await asyncio.gather(*checks.values()), strict=True))

    async def _check_redis(self) -> PartStatus:
        try:
            await self._redis.ping()
        except (RedisError, OSError):
            return PartStatus(False, "down")
        return PartStatus(True, "ok")

    async def _check_postgres(self) -> PartStatus:
        # The lock makes a burst of messages share one check rather than open a connection each.
        async with self._postgres_lock:
            if self._postgres_result and (
                self._clock() - self._postgres_result[0] < POSTGRES_RESULT_SECONDS
            ):
                return self._postgres_result[1]
            status = await asyncio.to_thread(self._connect_postgres)
            self._postgres_result = (self._clock(), status)
            return status

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
