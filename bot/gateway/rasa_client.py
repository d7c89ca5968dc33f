"""The gateway's only way to talk to Rasa and the action server."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx

from bot.gateway.status import PartStatus
from bot.gateway.workers import WorkerPool

if TYPE_CHECKING:
    from bot.gateway.store_probes import StoreProbes


RASA_KEEPALIVE_SECONDS = 2.0


class RasaUnavailable(Exception):
    """Rasa could not be reached or answered with an error."""


class SharedStoreDown(RasaUnavailable):
    """A store the Rasa workers share (Redis, PostgreSQL) is down, so Rasa cannot answer well."""


class RasaTimeout(Exception):
    """Rasa did not answer in time."""


class RasaClient:
    def __init__(
        self,
        rasa_url: str | Sequence[str],
        action_url: str,
        token: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        stores: StoreProbes | None = None,
    ) -> None:
        """`rasa_url` is one Rasa server or the list of workers; `stores` are checked first."""
        self._workers = WorkerPool([rasa_url] if isinstance(rasa_url, str) else rasa_url)
        self._stores = stores
        self._action_url = action_url
        self._token = token
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=2.0),
            # Rasa's server (Sanic) closes idle connections after 5 s; dropping them sooner on
            # this side means a message is never sent on a connection Rasa is closing.
            limits=httpx.Limits(keepalive_expiry=RASA_KEEPALIVE_SECONDS),
            transport=transport,
        )

    async def close(self) -> None:
        await self._http.aclose()
        if self._stores is not None:
            await self._stores.close()

    async def send_message(self, sender: str, message: str) -> list[dict[str, Any]]:
        down = [name for name, status in (await self.store_statuses()).items() if not status.ok]
        if down:
            raise SharedStoreDown(f"{' and '.join(down)} down")
        for url in self._workers.candidates(sender):
            try:
                response = await self._http.post(
                    f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
                )
            except (httpx.ConnectError, httpx.ConnectTimeout):
                # The message never reached this worker, so another one can take it with no
                # risk of answering it twice. Any later failure is final for the same reason.
                self._workers.mark_down(url)
                continue
            except httpx.TimeoutException as error:
                raise RasaTimeout() from error
            except httpx.HTTPError as error:
                raise RasaUnavailable(type(error).__name__) from error
            self._workers.mark_up(url)
            if response.status_code != 200:
                raise RasaUnavailable(f"Rasa answered {response.status_code}")
            return response.json()
        raise RasaUnavailable("no Rasa worker accepted the connection")

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
