"""Which Rasa worker answers which conversation.

Each sender has a preferred worker chosen by rendezvous hashing of the sender id with each
worker's URL: the choice is the same in every gateway process and after a restart (Python's
`hash()` is salted per process, so it is not used), and adding or removing a worker only moves
the conversations that worker had. Any worker can continue any conversation, because they share
the tracker store and the lock store; the preference only spreads the load and keeps one
conversation's messages from contending for its lock on two workers.

A worker that refused a connection is tried last for a few seconds, so the next messages go
straight to a live one instead of paying for the refusal again.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence

DOWN_SECONDS = 5.0


def _weight(sender: str, url: str) -> int:
    digest = hashlib.blake2b(f"{url}\n{sender}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class WorkerPool:
    def __init__(self, urls: Sequence[str], clock: Callable[[], float] = time.monotonic) -> None:
        if not urls:
            raise ValueError("at least one Rasa worker URL is needed")
        self.urls = list(urls)
        self._clock = clock
        self._down_until: dict[str, float] = {}

    def candidates(self, sender: str) -> list[str]:
        """Every worker, the sender's preferred first; workers seen down recently go last."""
        ranked = sorted(self.urls, key=lambda url: _weight(sender, url), reverse=True)
        now = self._clock()
        # sorted() is stable: live workers keep their hash order, and so do the down ones.
        return sorted(ranked, key=lambda url: self._down_until.get(url, 0.0) > now)

    def mark_down(self, url: str) -> None:
        self._down_until[url] = self._clock() + DOWN_SECONDS

    def mark_up(self, url: str) -> None:
        self._down_until.pop(url, None)
