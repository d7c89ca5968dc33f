"""Rate limits that hold: per client address and per sender id, shared by every gateway process.

A limit per sender id alone is no limit: a new id costs nothing. So every chat message and
deletion counts twice, against its sender id and against the address it came from, each in a
sliding one-minute window. With REDIS_URL set the windows live in Redis (one atomic script per
count), so two gateway processes do not double them; if Redis fails, each process falls back on
its own windows until it is back.

The address is the connection's, unless that is a trusted proxy (TRUSTED_PROXIES): then it is
the one the proxy saw, read from X-Forwarded-For from the right, past every trusted proxy.
Addresses and ids are hashed before they go to Redis.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import uuid
from collections.abc import Sequence

from fastapi import Request
from redis.exceptions import RedisError

from bot.gateway.errors import ApiError
from bot.gateway.rate_limit import RateLimiter
from bot.gateway.redis_client import redis_client

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
# Redis's own clock, so that processes on several machines count the same window.
_SLIDING_WINDOW = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('EXPIRE', KEYS[1], math.ceil(window))
return '0'
"""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> list[Network]:
    """ "10.0.0.0/8, 192.168.1.4" as networks; a bad entry raises ValueError."""
    return [
        ipaddress.ip_network(part.strip(), strict=False)
        for part in value.split(",")
        if part.strip()
    ]


class ClientAddresses:
    def __init__(self, trusted_proxies: Sequence[Network] = ()) -> None:
        self._trusted = list(trusted_proxies)

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)

    def of(self, request: Request) -> str:
        peer = request.client.host if request.client else "unknown"
        if not self._is_trusted(peer):
            return peer
        hops = [
            hop.strip()
            for header in request.headers.getlist("x-forwarded-for")
            for hop in header.split(",")
            if hop.strip()
        ]
        # Each proxy appends the address it saw; only the trusted ones' entries are believed.
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                return hop
        return hops[0] if hops else peer


class Limits:
    def __init__(
        self,
        per_sender: int,
        per_address: int,
        addresses: ClientAddresses,
        redis_url: str = "",
        window_seconds: float = WINDOW_SECONDS,
    ) -> None:
        self._limits = {"sender": per_sender, "address": per_address}
        self._window = window_seconds
        self._addresses = addresses
        self._local = {
            kind: RateLimiter(limit, window_seconds) for kind, limit in self._limits.items()
        }
        self._redis = redis_client(redis_url) if redis_url else None
        self._script = self._redis.register_script(_SLIDING_WINDOW) if self._redis else None

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.close()
            await self._redis.connection_pool.disconnect()

    def address_of(self, request: Request) -> str:
        return self._addresses.of(request)

    async def enforce(self, request: Request, sender: str, what: str) -> str:
        """A 429 with Retry-After when the address or the sender is over its limit; `what`
        names what was sent. Returns the client's address."""
        address = self._addresses.of(request)
        for kind, key, whose in (("address", address, "your network"), ("sender", sender, "you")):
            wait = await self._retry_after(kind, key)
            if wait:
                seconds = max(1, math.ceil(wait))
                raise ApiError(
                    429,
                    "rate_limited",
                    f"Too many {what} from {whose}. Please wait {seconds} seconds and try again.",
                    headers={"Retry-After": str(seconds)},
                )
        return address

    async def _retry_after(self, kind: str, key: str) -> float:
        if self._script is not None:
            hashed = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
            name = f"gateway:limit:{kind}:{hashed}"
            try:
                wait = await self._script(
                    keys=[name], args=[self._window, self._limits[kind], uuid.uuid4().hex]
                )
                return float(wait)
            except (RedisError, OSError) as error:
                logger.warning("rate limits not shared, Redis failed: %s", type(error).__name__)
        return self._local[kind].retry_after(key)
