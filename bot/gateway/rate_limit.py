"""A sliding one-minute window per key, kept in memory (bot/gateway/limits.py uses it)."""

from __future__ import annotations

import math
import time
from collections import deque


class RateLimiter:
    def __init__(self, per_minute: int, window_seconds: float = 60.0, max_senders: int = 100_000):
        self.per_minute = per_minute
        self.window = window_seconds
        self.max_senders = max_senders
        self._hits: dict[str, deque[float]] = {}
        self._swept_at = -math.inf  # the first message sweeps an empty table

    def retry_after(self, sender: str, now: float | None = None) -> float:
        """Records a message; returns 0 if allowed, else seconds until the next one may pass."""
        now = time.monotonic() if now is None else now
        # Once a window, senders whose window has emptied are dropped: memory follows the
        # patients chatting now, not everyone since the start (a bench run of 60,000 new
        # conversations grew the gateway by 36 MB when this waited for `max_senders`).
        if now - self._swept_at >= self.window or len(self._hits) > self.max_senders:
            self._forget_idle(now)
            self._swept_at = now
        hits = self._hits.setdefault(sender, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.per_minute:
            return self.window - (now - hits[0])
        hits.append(now)
        return 0.0

    @property
    def senders(self) -> int:
        return len(self._hits)

    def _forget_idle(self, now: float) -> None:
        idle = [s for s, h in self._hits.items() if not h or now - h[-1] >= self.window]
        for sender in idle:
            del self._hits[sender]
