"""Idempotent sends: a resend with the same key gets the first reply and reaches Rasa once."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from bot.gateway.idempotency import IdempotentSends, StoredReply
from bot.gateway.main import create_app
from bot.gateway.rasa_client import RasaClient
from bot.gateway.tokens import TOKEN_HEADER
from settings.bot import Settings

URL = "/webhooks/rest/webhook"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Answers:
    """Counts answers; each is held until `release` is set, and can fail."""

    def __init__(self) -> None:
        self.made = 0
        self.release = asyncio.Event()
        self.release.set()
        self.fail = False

    async def __call__(self) -> StoredReply:
        self.made += 1
        await self.release.wait()
        if self.fail:
            raise RuntimeError("the answer failed")
        return StoredReply(200, [{"text": f"answer {self.made}"}])


async def test_resend_gets_the_first_reply_and_no_second_answer():
    sends, answers = IdempotentSends(in_flight_seconds=5), Answers()
    first = await sends.run("p1", "k1", answers)
    again = await sends.run("p1", "k1", answers)
    assert again == first == StoredReply(200, [{"text": "answer 1"}])
    assert answers.made == 1


async def test_resend_while_the_first_is_in_flight_waits_for_its_reply():
    sends, answers = IdempotentSends(in_flight_seconds=5), Answers()
    answers.release.clear()
    first = asyncio.create_task(sends.run("p1", "k1", answers))
    again = asyncio.create_task(sends.run("p1", "k1", answers))
    await asyncio.sleep(0.05)
    assert not again.done()
    answers.release.set()
    assert await again == await first
    assert answers.made == 1


async def test_first_request_giving_up_does_not_stop_the_answer_a_resend_gets():
    sends, answers = IdempotentSends(in_flight_seconds=5), Answers()
    answers.release.clear()
    first = asyncio.create_task(sends.run("p1", "k1", answers))
    await asyncio.sleep(0.01)
    first.cancel()
    answers.release.set()
    assert (await sends.run("p1", "k1", answers)).body == [{"text": "answer 1"}]
    assert answers.made == 1


async def test_same_key_from_another_sender_is_another_message():
    sends, answers = IdempotentSends(in_flight_seconds=5), Answers()
    await sends.run("p1", "k1", answers)
    assert (await sends.run("p2", "k1", answers)).body == [{"text": "answer 2"}]


async def test_key_is_forgotten_after_two_minutes():
    clock = Clock()
    sends, answers = IdempotentSends(in_flight_seconds=5, clock=clock), Answers()
    await sends.run("p1", "k1", answers)
    clock.now += 119
    await sends.run("p1", "k1", answers)
    assert answers.made == 1
    clock.now += 2
    await sends.run("p1", "k1", answers)
    assert answers.made == 2


async def test_failed_answer_is_not_remembered_so_a_resend_tries_again():
    sends, answers = IdempotentSends(in_flight_seconds=5), Answers()
    answers.fail = True
    with pytest.raises(RuntimeError):
        await sends.run("p1", "k1", answers)
    answers.fail = False
    assert (await sends.run("p1", "k1", answers)).body == [{"text": "answer 2"}]


async def test_memory_is_bounded_oldest_keys_go_first():
    sends, answers = IdempotentSends(in_flight_seconds=5, max_remembered=3), Answers()
    for key in ["a", "b", "c", "d"]:
        await sends.run("p1", key, answers)
    await sends.run("p1", "d", answers)
    assert answers.made == 4
    await sends.run("p1", "a", answers)
    assert answers.made == 5


async def test_unreachable_redis_falls_back_on_this_process_memory():
    sends = IdempotentSends(in_flight_seconds=5, redis_url="redis://127.0.0.1:9/0")
    answers = Answers()
    try:
        first = await sends.run("p1", "k1", answers)
        assert await sends.run("p1", "k1", answers) == first
        assert answers.made == 1
    finally:
        await sends.close()


class SlowRasa:
    """Rasa over HTTP, answering after `delay` seconds; records every message it gets."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.delay = 0.0

    async def handler(self, request: httpx.Request) -> httpx.Response:
        self.received.append(json.loads(request.content))
        await asyncio.sleep(self.delay)
        n = len(self.received)
        return httpx.Response(200, json=[{"recipient_id": "p1", "text": f"reply {n}"}])


@pytest.fixture
def slow_rasa() -> SlowRasa:
    return SlowRasa()


@pytest.fixture
async def gateway(slow_rasa, tmp_path):
    settings = Settings(_env_file=None, tracker_store_url=f"sqlite:///{tmp_path / 'tracker.db'}")
    rasa = RasaClient(
        settings.rasa_url,
        settings.action_server_url,
        "t",
        2.0,
        httpx.MockTransport(slow_rasa.handler),
    )
    app = create_app(settings, rasa=rasa)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        client.conversation_token = None
        yield client


async def send(client: httpx.AsyncClient, key: str | None, message: str = "yes"):
    """A message of conversation p1, with its token once there is one (as the widget)."""
    headers = {"Idempotency-Key": key} if key is not None else {}
    if client.conversation_token:
        headers[TOKEN_HEADER] = client.conversation_token
    response = await client.post(URL, json={"sender": "p1", "message": message}, headers=headers)
    client.conversation_token = response.headers.get(TOKEN_HEADER, client.conversation_token)
    return response


async def test_chat_resend_with_the_same_key_gets_the_same_reply_and_reaches_rasa_once(
    gateway, slow_rasa
):
    first = await send(gateway, "msg-1_a")
    again = await send(gateway, "msg-1_a")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert len(slow_rasa.received) == 1


async def test_chat_resend_during_the_first_waits_and_reaches_rasa_once(gateway, slow_rasa):
    slow_rasa.delay = 0.3
    first, again = await asyncio.gather(send(gateway, "msg-2"), send(gateway, "msg-2"))
    assert again.json() == first.json() == [{"recipient_id": "p1", "text": "reply 1"}]
    assert len(slow_rasa.received) == 1


async def test_first_message_resent_without_the_token_gets_the_same_reply_and_token(
    gateway, slow_rasa
):
    first = await send(gateway, "first-1")
    gateway.conversation_token = None  # the reply with the token never arrived
    again = await send(gateway, "first-1")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers[TOKEN_HEADER] == first.headers[TOKEN_HEADER]
    assert len(slow_rasa.received) == 1


async def test_a_later_message_resent_without_the_token_is_refused(gateway, slow_rasa):
    await send(gateway, "m-1")
    token = gateway.conversation_token
    await send(gateway, "m-2")
    gateway.conversation_token = None
    assert (await send(gateway, "m-2")).status_code == 401
    gateway.conversation_token = None
    assert (await send(gateway, "m-3")).status_code == 401
    gateway.conversation_token = token
    assert (await send(gateway, "m-3")).status_code == 200


async def test_chat_messages_without_a_key_each_reach_rasa(gateway, slow_rasa):
    await send(gateway, None)
    await send(gateway, None)
    assert len(slow_rasa.received) == 2


@pytest.mark.parametrize("key", ["", "a" * 65, "has space", "semi;colon", "ünï"])
async def test_chat_refuses_a_malformed_idempotency_key_with_a_json_error(gateway, slow_rasa, key):
    response = await gateway.post(
        URL,
        json={"sender": "p1", "message": "hi"},
        headers=[(b"Idempotency-Key", key.encode())],
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert "idempotency-key" in response.json()["detail"].lower()
    assert slow_rasa.received == []


def test_widget_on_a_clinics_site_may_send_an_idempotency_key(make_client):
    client = make_client(cors_origins="https://clinic.example")
    preflight = client.options(
        URL,
        headers={
            "Origin": "https://clinic.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, idempotency-key",
        },
    )
    assert preflight.status_code == 200
    assert "idempotency-key" in preflight.headers["access-control-allow-headers"].lower()
