"""Is a request to the Slack webhook really from Slack, recent, and not delivered before?

Slack signs each request with the app's signing secret: `v0=` + hex HMAC-SHA256 of
`v0:<timestamp>:<raw body>`. A timestamp more than five minutes from now is refused, so a
captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import OrderedDict

MAX_AGE_SECONDS = 5 * 60
# Slack retries a delivery three times within about five minutes; an hour covers that with room.
REMEMBER_SECONDS = 60 * 60
REMEMBER_AT_MOST = 10_000


class SlackRequestRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_signature(
    secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float | None = None,
) -> None:
    """Raises SlackRequestRefused unless `signature` is Slack's, made less than 5 minutes ago."""
    if not timestamp or not timestamp.isdigit():
        raise SlackRequestRefused("missing or malformed X-Slack-Request-Timestamp")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        raise SlackRequestRefused("the request is more than 5 minutes old")
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not signature or not hmac.compare_digest(expected, signature):
        raise SlackRequestRefused("the X-Slack-Signature does not match")


class DeliveredEvents:
    """The ids of events already handed to the bot, so Slack's retries are not answered again.

    A retry whose event never arrived (the first delivery was lost) still gets through.
    """

    def __init__(self, remember_seconds: float = REMEMBER_SECONDS) -> None:
        self._remember_seconds = remember_seconds
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_delivery(self, event_id: str | None, now: float | None = None) -> bool:
        """True, and remembered, the first time an id is seen; requests without one pass."""
        if not event_id:
            return True
        now = time.monotonic() if now is None else now
        while self._seen and (
            len(self._seen) >= REMEMBER_AT_MOST
            or next(iter(self._seen.values())) < now - self._remember_seconds
        ):
            self._seen.popitem(last=False)
        if event_id in self._seen:
            return False
        self._seen[event_id] = now
        return True
