"""Gateway tests: the FastAPI app with Rasa replaced by an httpx transport we control."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.gateway.main import create_app
from bot.gateway.rasa_client import RasaClient
from settings.bot import Settings

REPLY = [{"recipient_id": "p1", "text": "A bone scan makes a picture of your whole skeleton."}]


class FakeRasa:
    """Plays Rasa and the action server over HTTP; records what reached them."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.model_file: str | None = "models/bonemets.tar.gz"
        self.actions_up = True
        self.rasa_up = True
        self.status = 200
        self.reply = REPLY

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.port == 5055:
            if not self.actions_up:
                raise httpx.ConnectError("connection refused")
            return httpx.Response(200, json={"status": "ok"})
        if not self.rasa_up:
            raise httpx.ConnectError("connection refused")
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": self.model_file})
        self.received.append(json.loads(request.content))
        return httpx.Response(self.status, json=self.reply)


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def make_client(fake_rasa: FakeRasa) -> Callable[..., TestClient]:
    def make(**overrides) -> TestClient:
        settings = Settings(_env_file=None, **overrides)
        rasa = RasaClient(
            settings.rasa_url,
            settings.action_server_url,
            "token",
            2.0,
            transport=httpx.MockTransport(fake_rasa.handler),
        )
        return TestClient(create_app(settings, rasa=rasa), raise_server_exceptions=False)

    return make


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()
