"""Hands verified chat-app requests to Rasa's connectors without making Slack or Teams wait.

Slack wants an answer within 3 seconds (Teams within 15) while Rasa may take longer, with a
slow model or a busy CPU; so the gateway acknowledges first and relays in the background.
With several Rasa workers, a conversation goes to its preferred worker, as REST messages do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import httpx

from bot.gateway.workers import WorkerPool

logger = logging.getLogger(__name__)

CLOSE_GRACE_SECONDS = 5.0


class ChannelRelay:
    def __init__(
        self,
        rasa_urls: Sequence[str],
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._workers = WorkerPool(rasa_urls)
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=2.0), transport=transport
        )
        self._pending: set[asyncio.Task] = set()

    def relay(self, path: str, body: bytes, headers: dict[str, str], conversation: str) -> None:
        """Posts the request to Rasa at `path` in the background, exactly as it came."""
        task = asyncio.create_task(self._post(path, body, headers, conversation))
        # The event loop keeps only weak references to tasks: hold this one until it is done.
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _post(
        self, path: str, body: bytes, headers: dict[str, str], conversation: str
    ) -> None:
        for url in self._workers.candidates(conversation):
            try:
                response = await self._http.post(f"{url}{path}", content=body, headers=headers)
            except (httpx.ConnectError, httpx.ConnectTimeout):
                # Never reached this worker, so another one can take it without a double answer.
                self._workers.mark_down(url)
                continue
            except httpx.HTTPError as error:
                logger.warning("could not relay to Rasa %s: %s", path, type(error).__name__)
                return
            self._workers.mark_up(url)
            if response.status_code >= 300:
                logger.warning("Rasa answered %s on %s", response.status_code, path)
            return
        logger.warning("could not relay to Rasa %s: no worker accepted the connection", path)

    async def close(self) -> None:
        """Lets relays under way finish for a few seconds, then stops them."""
        if self._pending:
            _, unfinished = await asyncio.wait(set(self._pending), timeout=CLOSE_GRACE_SECONDS)
            for task in unfinished:
                task.cancel()
        await self._http.aclose()
