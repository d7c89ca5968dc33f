"""The gateway's only way to talk to Rasa and the action server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from bot.gateway.aiohttp_transport import AiohttpTransport
from bot.gateway.status import PartStatus
from bot.gateway.workers import WorkerPool

if TYPE_CHECKING:
    from bot.gateway.admission import Admission
    from bot.gateway.store_probes import StoreProbes


RASA_KEEPALIVE_SECONDS = 2.0
# Rasa's route that deletes conversations under their locks (bot/rasa_ext/forget_channel.py),
# and the action server's that deletes what it keeps of them (rasa_sdk_plugins).
FORGET_PATH = "/webhooks/forget/conversations"
FORGET_ALERTS_PATH = "/conversations/forget"
# A deletion waits for a message being answered (at most Rasa's own time limit).
FORGET_TIMEOUT_SECONDS = 30.0
# Raised before any response came back: the connection was closed or reset under the request,
# as a pooled connection to a worker that has died is.
CLOSED_BEFORE_REPLY = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa could not be reached or answered with an error."""


class SharedStoreDown(RasaUnavailable):
    """A store the Rasa workers share (Redis, PostgreSQL) is down, so Rasa cannot answer well."""


class ActionServerUnavailable(Exception):
    """The action server could not be reached or answered with an error."""


class RasaTimeout(Exception):
    """Rasa did not answer in time."""


class _NotDelivered(Exception):
    """This worker did not take the message, so another one may, with no double answer."""


class _ClosedBeforeReply(Exception):
    """The connection failed before any response: worth once more on a fresh connection."""


class RasaClient:
    def __init__(
        self,
        rasa_url: str | Sequence[str],
        action_url: str,
        token: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        stores: StoreProbes | None = None,
        admission: Admission | None = None,
    ) -> None:
        """`rasa_url` is one Rasa server or the list of workers; `stores` are checked first;
        `admission` bounds the messages in flight at each worker."""
        self._workers = WorkerPool([rasa_url] if isinstance(rasa_url, str) else rasa_url)
        self._stores = stores
        self.admission = admission
        self._action_url = action_url
        self._token = token
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=2.0),
            # Rasa's server (Sanic) closes idle connections after 5 s; dropping them sooner on
            # this side means a message is never sent on a connection Rasa is closing.
            transport=transport or AiohttpTransport(keepalive_seconds=RASA_KEEPALIVE_SECONDS),
        )
        # For a second try: it keeps no connection, so each request opens its own.
        self._fresh_http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=2.0),
            transport=transport or AiohttpTransport(keepalive_seconds=None),
        )
        self._unwaited: set[asyncio.Task] = set()

    async def close(self) -> None:
        for task in self._unwaited:
            task.cancel()
        await self._http.aclose()
        await self._fresh_http.aclose()
        if self._stores is not None:
            await self._stores.close()
        if self.admission is not None:
            await self.admission.close()

    def turns_away_at_once(self) -> bool:
        """Whether a message other than a warning sign would be answered busy at once
        (admission.py): only if every worker is full, whichever the sender prefers."""
        return self.admission is not None and self.admission.turns_away_at_once(self._workers.urls)

    async def send_message_waiting_at_most(
        self,
        sender: str,
        message: str,
        seconds: float,
        metadata: dict[str, Any] | None = None,
        after: Callable[[], Awaitable[None]] | None = None,
        urgent: bool = False,
    ) -> list[dict[str, Any]]:
        """`send_message`, but RasaTimeout after `seconds`. The message itself goes on to Rasa
        (within Rasa's usual time limit), so a Rasa that is slow but working still records it
        in the conversation instead of having it cut off; it keeps its admission slot until
        then. Busy (admission.py) when no worker has a slot for it; `urgent` goes first.
        `after` runs once Rasa is done with the message (answered, failed or timed out), even
        when no one waits any more."""
        workers = self._workers.candidates(sender)
        ticket = None
        if self.admission is not None:
            ticket = await self.admission.enter(workers, urgent)
            workers = [ticket.worker, *(url for url in workers if url != ticket.worker)]
        task = asyncio.create_task(self._send_then(sender, message, workers, metadata, after))
        # The event loop keeps only weak references to tasks: hold this one until it is done.
        self._unwaited.add(task)
        task.add_done_callback(self._forget_task)
        if ticket is not None:
            task.add_done_callback(lambda _: self.admission.leave(ticket))
        try:
            return await asyncio.wait_for(asyncio.shield(task), seconds)
        except asyncio.TimeoutError as error:
            raise RasaTimeout() from error

    def _forget_task(self, task: asyncio.Task) -> None:
        self._unwaited.discard(task)
        if not task.cancelled():
            task.exception()  # a failure after the wait was already answered for

    async def send_message(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        return await self._send(sender, message, self._workers.candidates(sender), metadata)

    async def _send_then(
        self,
        sender: str,
        message: str,
        workers: list[str],
        metadata: dict[str, Any] | None,
        after: Callable[[], Awaitable[None]] | None,
    ) -> list[dict[str, Any]]:
        try:
            return await self._send(sender, message, workers, metadata)
        finally:
            if after is not None:
                await after()

    async def _send(
        self,
        sender: str,
        message: str,
        workers: list[str],
        metadata: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """To the first of `workers` that takes it."""
        stores = await self._stores.recent_statuses() if self._stores is not None else {}
        down = [name for name, status in stores.items() if not status.ok]
        if down:
            raise SharedStoreDown(f"{' and '.join(down)} down")
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        for url in workers:
            try:
                replies = await self._send_to_worker(url, body)
            except _NotDelivered:
                self._workers.mark_down(url)
                continue
            self._workers.mark_up(url)
            return replies
        raise RasaUnavailable("no Rasa worker took the message")

    async def _send_to_worker(self, url: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        """On a pooled connection, then once on a fresh one if that failed before any reply."""
        for http in (self._http, self._fresh_http):
            try:
                return await self._post(http, f"{url}/webhooks/rest/webhook", body)
            except _ClosedBeforeReply as closed:
                logger.info("Rasa at %s closed the connection before replying: %s", url, closed)
        raise _NotDelivered()

    async def _post(
        self, http: httpx.AsyncClient, url: str, body: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            # Streamed, so a failure before the response is told apart from one during it.
            response = await http.send(http.build_request("POST", url, json=body), stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise _NotDelivered() from error
        except httpx.TimeoutException as error:
            raise RasaTimeout() from error
        except CLOSED_BEFORE_REPLY as error:
            raise _ClosedBeforeReply(type(error).__name__) from error
        except httpx.HTTPError as error:
            raise RasaUnavailable(type(error).__name__) from error
        # Rasa has begun to answer: whatever happens now is final, never sent again.
        try:
            await response.aread()
        except httpx.TimeoutException as error:
            raise RasaTimeout() from error
        except httpx.HTTPError as error:
            raise RasaUnavailable(type(error).__name__) from error
        finally:
            await response.aclose()
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered {response.status_code}")
        try:
            return response.json()
        except ValueError as error:
            raise RasaUnavailable("Rasa answered with no JSON") from error

    async def load(self) -> dict[str, Any] | None:
        """Messages in flight at each worker and turned away as busy by this process, for
        /healthz; None without admission control."""
        if self.admission is None:
            return None
        in_flight = await self.admission.in_flight(self._workers.urls)
        return {
            "in_flight": list(in_flight.values()),
            "slots_per_worker": self.admission.slots_per_worker,
            "busy_answers": self.admission.turned_away,
        }

    async def forget_conversations(self, sender_ids: Sequence[str]) -> int:
        """Deletes conversations in Rasa, each under its lock; how many had something stored.
        Any worker will do: they share the lock store."""
        body = {"sender_ids": list(sender_ids)}
        for url in self._workers.candidates(sender_ids[0]):
            try:
                response = await self._http.post(
                    f"{url}{FORGET_PATH}",
                    params={"token": self._token},
                    json=body,
                    timeout=FORGET_TIMEOUT_SECONDS,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout):
                self._workers.mark_down(url)
                continue
            except httpx.HTTPError as error:
                raise RasaUnavailable(type(error).__name__) from error
            if response.status_code != 200:
                raise RasaUnavailable(f"Rasa answered {response.status_code} to a deletion")
            return int(response.json().get("deleted", 0))
        raise RasaUnavailable("no Rasa worker took the deletion")

    async def forget_alerts(self, sender_ids: Sequence[str]) -> dict[str, int]:
        """Deletes what the action server keeps of these conversations (their nurse alerts);
        how many alerts were still waiting and how many had been delivered."""
        try:
            response = await self._http.post(
                f"{self._action_url}{FORGET_ALERTS_PATH}",
                json={"sender_ids": list(sender_ids)},
                timeout=FORGET_TIMEOUT_SECONDS,
            )
        except httpx.HTTPError as error:
            raise ActionServerUnavailable(type(error).__name__) from error
        if response.status_code != 200:
            raise ActionServerUnavailable(f"the action server answered {response.status_code}")
        found = response.json()
        return {
            "waiting": int(found.get("waiting", 0)),
            "delivered": int(found.get("delivered", 0)),
        }

    async def worker_statuses(self) -> list[PartStatus]:
        """One status per Rasa worker, in the order of the settings."""
        return list(await asyncio.gather(*(self._worker_status(url) for url in self._workers.urls)))

    async def store_statuses(self) -> dict[str, PartStatus]:
        """`redis` and `postgres` when the workers share them; empty otherwise."""
        return await self._stores.statuses() if self._stores is not None else {}

    async def _worker_status(self, url: str) -> PartStatus:
        """`ok` with the model's name when this worker is up and has a model loaded."""
        try:
            response = await self._http.get(
                f"{url}/status", params={"token": self._token}, timeout=3.0
            )
        except httpx.HTTPError:
            return PartStatus(False, "down")
        if response.status_code != 200:
            return PartStatus(False, f"error {response.status_code}")
        model_file = response.json().get("model_file")
        if not model_file:
            return PartStatus(False, "no model loaded")
        return PartStatus(True, model_file.rsplit("/", 1)[-1])

    async def actions_status(self) -> PartStatus:
        try:
            response = await self._http.get(f"{self._action_url}/health", timeout=3.0)
        except httpx.HTTPError:
            return PartStatus(False, "down")
        return PartStatus(response.status_code == 200, "ok" if response.is_success else "error")
