"""The gateway's only way to talk to Rasa and the action server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class RasaUnavailable(Exception):
    """Rasa could not be reached or answered with an error."""


class RasaTimeout(Exception):
    """Rasa did not answer in time."""


@dataclass
class PartStatus:
    ok: bool
    detail: str


class RasaClient:
    def __init__(
        self,
        rasa_url: str,
        action_url: str,
        token: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._rasa_url = rasa_url
        self._action_url = action_url
        self._token = token
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=2.0), transport=transport
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def send_message(self, sender: str, message: str) -> list[dict[str, Any]]:
        try:
            response = await self._http.post(
                f"{self._rasa_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": message},
            )
        except httpx.TimeoutException as error:
            raise RasaTimeout() from error
        except httpx.HTTPError as error:
            raise RasaUnavailable(type(error).__name__) from error
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered {response.status_code}")
        return response.json()

    async def model_status(self) -> PartStatus:
        """`ok` with the model's name when Rasa is up and has a model loaded."""
        try:
            response = await self._http.get(
                f"{self._rasa_url}/status", params={"token": self._token}, timeout=3.0
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
