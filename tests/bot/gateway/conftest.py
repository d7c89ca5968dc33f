"""Gateway tests: the FastAPI app with Rasa replaced by an httpx transport we control."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.gateway.main import create_app
from bot.gateway.rasa_client import FORGET_ALERTS_PATH, FORGET_PATH, RasaClient
from bot.gateway.tokens import TOKEN_HEADER
from settings.bot import Settings

REPLY = [{"recipient_id": "p1", "text": "A bone scan makes a picture of your whole skeleton."}]


class FakeRasa:
    """Plays Rasa and the action server over HTTP; records what reached them. With a
    `tracker_db` (Rasa's events table), each message saves two events in it and a deletion
    (bot/rasa_ext/forget_channel.py) deletes the conversation's rows, as Rasa would."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.model_file: str | None = "models/bonemets.tar.gz"
        self.actions_up = True
        self.rasa_up = True
        self.status = 200
        self.reply = REPLY
        self.tracker_db: Path | None = None
        self.forgotten: list[list[str]] = []
        self.alerts_forgotten: list[list[str]] = []
        self.alerts = {"waiting": 0, "delivered": 0}

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.port == 5055:
            if not self.actions_up:
                raise httpx.ConnectError("connection refused")
            if request.url.path == FORGET_ALERTS_PATH:
                self.alerts_forgotten.append(json.loads(request.content)["sender_ids"])
                return httpx.Response(200, json=self.alerts)
            return httpx.Response(200, json={"status": "ok"})
        if not self.rasa_up:
            raise httpx.ConnectError("connection refused")
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": self.model_file})
        if request.url.path == FORGET_PATH:
            return self.forget(json.loads(request.content)["sender_ids"])
        body = json.loads(request.content)
        self.received.append(body)
        if self.tracker_db is not None:
            with sqlite3.connect(self.tracker_db) as db:
                rows = [(body["sender"], kind, time.time()) for kind in ("user", "bot")]
                query = "insert into events (sender_id, type_name, timestamp) values (?, ?, ?)"
                db.executemany(query, rows)
        return httpx.Response(self.status, json=self.reply)

    def forget(self, sender_ids: list[str]) -> httpx.Response:
        self.forgotten.append(sender_ids)
        deleted = 0
        if self.tracker_db is not None:
            with sqlite3.connect(self.tracker_db) as db:
                for sender in sender_ids:
                    query = "delete from events where sender_id = ?"
                    deleted += db.execute(query, (sender,)).rowcount > 0
        return httpx.Response(200, json={"deleted": deleted})


def make_tracker_db(path: Path) -> Path:
    """An empty tracker store with the table Rasa's SQLTrackerStore writes."""
    with sqlite3.connect(path) as db:
        db.execute(
            "create table events (id integer primary key, sender_id varchar(255) not null, "
            "type_name varchar(255) not null, timestamp float, intent_name varchar(255), "
            "action_name varchar(255), data text)"
        )
    return path


def messages(received: list[dict]) -> list[dict]:
    """What reached Rasa, without the metadata the gateway adds (the client's key)."""
    return [{k: v for k, v in body.items() if k != "metadata"} for body in received]


def send(client: TestClient, sender: str, message: str, **headers: str) -> httpx.Response:
    """A message with the conversation's token, once the client has one (as the widget)."""
    tokens = client.app.state.test_tokens
    if sender in tokens:
        headers.setdefault(TOKEN_HEADER, tokens[sender])
    response = client.post(
        "/webhooks/rest/webhook", json={"sender": sender, "message": message}, headers=headers
    )
    if TOKEN_HEADER in response.headers:
        tokens[sender] = response.headers[TOKEN_HEADER]
    return response


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def make_client(fake_rasa: FakeRasa, tmp_path) -> Callable[..., TestClient]:
    def make(**overrides) -> TestClient:
        # A conversation store of the test's own, never the project's var/.
        overrides.setdefault("tracker_store_url", f"sqlite:///{tmp_path / 'tracker.db'}")
        settings = Settings(_env_file=None, **overrides)
        rasa = RasaClient(
            settings.rasa_url,
            settings.action_server_url,
            "token",
            2.0,
            transport=httpx.MockTransport(fake_rasa.handler),
        )
        app = create_app(settings, rasa=rasa)
        app.state.test_tokens = {}
        return TestClient(app, raise_server_exceptions=False)

    return make


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()
