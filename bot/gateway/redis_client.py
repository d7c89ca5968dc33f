"""The gateway's Redis connections: quick to fail, and not fooled by a restart of Redis."""

from __future__ import annotations

import redis.asyncio as redis
from redis.exceptions import ConnectionError as RedisConnectionError

TIMEOUT_SECONDS = 1.0


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=TIMEOUT_SECONDS,
        socket_timeout=TIMEOUT_SECONDS,
        # A pooled connection that Redis closed when it restarted fails once; the command is
        # then sent again on a new one instead of reporting Redis down.
        retry_on_error=[RedisConnectionError],
    )
