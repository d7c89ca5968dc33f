"""The gateway in front of several Rasa workers and the stores they share (all faked here)."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.gateway.main import create_app
from bot.gateway.rasa_client import PartStatus, RasaClient
from bot.gateway.workers import WorkerPool
from settings.bot import Settings
from tests.bot.gateway.conftest import send

WORKER_PORTS = (6001, 6002)
WORKER_URLS = [f"http://127.0.0.1:{port}" for port in WORKER_PORTS]
ACTION_PORT = 5055


class BrokenOff(httpx.AsyncByteStream):
    """A reply body that breaks off after its first bytes, as when Rasa dies mid-answer."""

    async def __aiter__(self):
        yield b'[{"recipient_id": "p", "te'
        raise httpx.ReadError("connection reset by peer")


class FakeWorkers:
    """Rasa workers and the action server over HTTP. A worker answers ("ok"), refuses the
    connection, hangs, closes or resets the connection before replying (every time, or
    "... once"), or breaks off its reply."""

    def __init__(self) -> None:
        self.state = {port: "ok" for port in WORKER_PORTS}
        self.received: dict[int, list[dict]] = {port: [] for port in WORKER_PORTS}
        self.attempts = {port: 0 for port in WORKER_PORTS}

    def handler(self, request: httpx.Request) -> httpx.Response:
        port = request.url.port
        if port == ACTION_PORT:
            return httpx.Response(200, json={"status": "ok"})
        state = self.state[port]
        if state == "refuses":
            raise httpx.ConnectError("connection refused")
        if state == "hangs":
            raise httpx.ReadTimeout("no answer")
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "models/bonemets.tar.gz"})
        self.attempts[port] += 1
        if state.startswith(("closes", "resets")):
            if state.endswith(" once"):
                self.state[port] = "ok"
            if state.startswith("closes"):
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            raise httpx.ReadError("connection reset by peer")
        self.received[port].append(json.loads(request.content))
        if state == "breaks off":
            return httpx.Response(200, stream=BrokenOff())
        return httpx.Response(200, json=[{"recipient_id": "p", "text": f"from {port}"}])


class FakeStores:
    def __init__(self) -> None:
        self.up = {"redis": True, "postgres": True}

    async def statuses(self) -> dict[str, PartStatus]:
        return {name: PartStatus(up, "ok" if up else "down") for name, up in self.up.items()}

    async def recent_statuses(self) -> dict[str, PartStatus]:
        return await self.statuses()

    async def close(self) -> None:
        pass


@pytest.fixture
def workers() -> FakeWorkers:
    return FakeWorkers()


@pytest.fixture
def stores() -> FakeStores:
    return FakeStores()


@pytest.fixture
def client(workers: FakeWorkers, stores: FakeStores, tmp_path) -> TestClient:
    settings = Settings(
        _env_file=None,
        rasa_urls=",".join(WORKER_URLS),
        tracker_store_url=f"sqlite:///{tmp_path / 'tracker.db'}",
    )
    rasa = RasaClient(
        settings.rasa_worker_urls,
        settings.action_server_url,
        "token",
        2.0,
        transport=httpx.MockTransport(workers.handler),
        stores=stores,
    )
    app = create_app(settings, rasa=rasa)
    app.state.test_tokens = {}
    return TestClient(app, raise_server_exceptions=False)


def ports_in_preference(sender: str) -> list[int]:
    return [int(url.rsplit(":", 1)[1]) for url in WorkerPool(WORKER_URLS).candidates(sender)]


def say(client: TestClient, sender: str) -> httpx.Response:
    return send(client, sender, "what is a bone scan")


def test_chat_goes_only_to_the_senders_preferred_worker(client, workers):
    preferred, other = ports_in_preference("p1")
    for _ in range(3):
        assert say(client, "p1").json()[0]["text"] == f"from {preferred}"
    assert len(workers.received[preferred]) == 3
    assert workers.received[other] == []


def test_chat_goes_to_the_other_worker_when_the_preferred_one_refuses(client, workers):
    preferred, other = ports_in_preference("p1")
    workers.state[preferred] = "refuses"
    response = say(client, "p1")
    assert response.status_code == 200
    assert response.json()[0]["text"] == f"from {other}"
    assert len(workers.received[other]) == 1


def gateway_reply(response: httpx.Response) -> str | None:
    return next((r["custom"]["gateway_reply"] for r in response.json() if "custom" in r), None)


def test_chat_is_not_sent_twice_when_a_worker_hangs(client, workers):
    preferred, other = ports_in_preference("p1")
    workers.state[preferred] = "hangs"
    response = say(client, "p1")
    assert gateway_reply(response) == "unavailable"
    assert workers.received[other] == []


@pytest.mark.parametrize("failure", ["closes", "resets"])
def test_chat_is_retried_on_a_fresh_connection_when_a_pooled_one_fails_before_replying(
    client, workers, failure
):
    preferred, other = ports_in_preference("p1")
    workers.state[preferred] = f"{failure} once"
    response = say(client, "p1")
    assert response.json()[0]["text"] == f"from {preferred}"
    assert len(workers.received[preferred]) == 1
    assert workers.received[other] == []


def test_chat_goes_to_the_next_worker_when_the_fresh_connection_fails_before_replying_too(
    client, workers
):
    preferred, other = ports_in_preference("p1")
    workers.state[preferred] = "closes"
    response = say(client, "p1")
    assert response.json()[0]["text"] == f"from {other}"
    assert workers.attempts[preferred] == 2
    assert len(workers.received[other]) == 1


def test_chat_is_not_sent_again_when_the_reply_breaks_off(client, workers):
    preferred, other = ports_in_preference("p1")
    workers.state[preferred] = "breaks off"
    response = say(client, "p1")
    assert gateway_reply(response) == "unavailable"
    assert workers.attempts[preferred] == 1
    assert workers.received[other] == []


def test_chat_answers_with_its_own_reply_when_every_worker_refuses(client, workers):
    workers.state = {port: "refuses" for port in WORKER_PORTS}
    response = say(client, "p1")
    assert response.status_code == 200
    assert gateway_reply(response) == "unavailable"


@pytest.mark.parametrize("store", ["redis", "postgres"])
def test_chat_answers_with_its_own_reply_without_reaching_rasa_when_a_store_is_down(
    client, workers, stores, store
):
    stores.up[store] = False
    response = say(client, "p1")
    assert response.status_code == 200
    assert gateway_reply(response) == "unavailable"
    assert workers.received == {port: [] for port in WORKER_PORTS}


def test_healthz_lists_every_worker_and_store(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "rasa": "ok",
        "model": "bonemets.tar.gz",
        "actions": "ok",
        "workers": ["ok", "ok"],
        "redis": "ok",
        "postgres": "ok",
    }


def test_healthz_is_ok_with_one_worker_down_and_names_it(client, workers):
    workers.state[WORKER_PORTS[1]] = "refuses"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["workers"] == ["ok", "down"]


def test_healthz_is_503_when_every_worker_is_down(client, workers):
    workers.state = {port: "refuses" for port in WORKER_PORTS}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["rasa"] == "down"


def test_healthz_is_503_and_names_redis_when_it_is_down(client, stores):
    stores.up["redis"] = False
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "down"
    assert response.json()["postgres"] == "ok"
