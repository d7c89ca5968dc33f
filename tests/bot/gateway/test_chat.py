"""The REST endpoint's contract and its input limits: bad input never reaches Rasa."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.gateway.main import create_app
from bot.gateway.rasa_client import RasaClient
from settings.bot import Settings
from tests.bot.gateway.conftest import messages, send

URL = "/webhooks/rest/webhook"


def store_in(folder) -> str:
    return f"sqlite:///{folder / 'tracker.db'}"


def test_chat_passes_message_to_rasa_and_returns_its_list(client, fake_rasa):
    response = client.post(URL, json={"sender": "p1", "message": "  what is a bone scan?  "})
    assert response.status_code == 200
    assert response.json()[0]["text"].startswith("A bone scan")
    assert messages(fake_rasa.received) == [{"sender": "p1", "message": "what is a bone scan?"}]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"sender": "p1", "message": ""}, "message"),
        ({"sender": "p1", "message": "   \n\t "}, "message"),
        ({"sender": "p1", "message": "x" * 1001}, "message"),
        ({"sender": "", "message": "hi"}, "sender"),
        ({"sender": "a" * 129, "message": "hi"}, "sender"),
        ({"sender": "bad id!", "message": "hi"}, "sender"),
        ({"sender": "p1/../x", "message": "hi"}, "sender"),
        ({"sender": "demo-1\n", "message": "hi"}, "sender"),
        ({"sender": "a:b", "message": "hi"}, "sender"),
        ({"sender": "U0123ABCD_C0456EFGH", "message": "hi"}, "sender"),
        ({"sender": "U0123ABCD_C0456EFGH_1700000000.000100", "message": "hi"}, "sender"),
        ({"sender": "U0123ABCD", "message": "hi"}, "sender"),
        ({"sender": "29:1AbCdEfGh", "message": "hi"}, "sender"),
        ({"message": "hi"}, "sender"),
        ({"sender": "p1"}, "message"),
        ({"sender": "p1", "message": "hi", "extra": 1}, "extra"),
        ({"sender": "p1", "message": ["hi"]}, "message"),
    ],
)
def test_chat_rejects_invalid_fields_with_a_clear_error(client, fake_rasa, body, where):
    response = client.post(URL, json=body)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert where in response.json()["detail"]
    assert fake_rasa.received == []


def test_chat_accepts_limits_exactly(client):
    assert client.post(URL, json={"sender": "a" * 128, "message": "x" * 1000}).status_code == 200
    assert client.post(URL, json={"sender": "A-z_0.9-x", "message": "?"}).status_code == 200


def test_chat_rejects_oversized_body(client, fake_rasa):
    response = client.post(URL, json={"sender": "p1", "message": "x" * 17000})
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"
    assert fake_rasa.received == []


def test_chat_rejects_oversized_chunked_body_without_content_length(client, fake_rasa):
    def chunks():
        yield b'{"sender": "p1", "message": "'
        for _ in range(20):
            yield b"x" * 1000
        yield b'"}'

    response = client.post(URL, content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert fake_rasa.received == []


def test_chat_rejects_non_json_content_type(client, fake_rasa):
    response = client.post(
        URL,
        content="sender=p1&message=hi",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"


def test_chat_rejects_malformed_json(client, fake_rasa):
    response = client.post(
        URL, content=b'{"sender": "p1", "message": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert fake_rasa.received == []


def test_chat_rejects_json_that_is_not_an_object(client):
    response = client.post(URL, json=["sender", "message"])
    assert response.status_code == 422


def test_chat_rate_limits_each_sender_separately(make_client):
    client = make_client(rate_limit_per_minute=3)
    for _ in range(3):
        assert send(client, "busy", "hi").status_code == 200
    limited = send(client, "busy", "hi")
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert send(client, "calm", "hi").status_code == 200


WARNING_SIGN = "my legs went numb this morning and I can't control my bladder"


def gateway_reply(response) -> str | None:
    return next((r["custom"]["gateway_reply"] for r in response.json() if "custom" in r), None)


def test_chat_answers_with_its_own_short_reply_when_rasa_is_down(client, fake_rasa):
    fake_rasa.rasa_up = False
    response = client.post(URL, json={"sender": "p1", "message": "what is a bone scan?"})
    assert response.status_code == 200
    assert gateway_reply(response) == "unavailable"
    (text,) = [r["text"] for r in response.json() if "text" in r]
    assert text.startswith("I could not answer just now.")
    assert "555-0100" in text
    assert all(r["recipient_id"] == "p1" for r in response.json())


def test_warning_sign_gets_the_emergency_reply_when_rasa_is_down(client, fake_rasa):
    fake_rasa.rasa_up = False
    response = client.post(URL, json={"sender": "p1", "message": WARNING_SIGN})
    assert response.status_code == 200
    assert gateway_reply(response) == "red_flag"
    text = response.json()[0]["text"]
    assert "call your care team now at 555-0100" in text
    assert "call 911" in text and "988" in text


def test_empty_reply_from_rasa_becomes_the_short_reply(client, fake_rasa):
    fake_rasa.reply = []
    response = client.post(URL, json={"sender": "p1", "message": "what is a bone scan?"})
    assert response.status_code == 200
    assert gateway_reply(response) == "unavailable"


def test_empty_reply_to_a_warning_sign_becomes_the_emergency_reply(client, fake_rasa):
    fake_rasa.reply = []
    response = client.post(URL, json={"sender": "p1", "message": WARNING_SIGN})
    assert gateway_reply(response) == "red_flag"


def test_rasa_error_status_becomes_the_short_reply(client, fake_rasa):
    fake_rasa.status = 500
    response = client.post(URL, json={"sender": "p1", "message": "hi"})
    assert response.status_code == 200
    assert gateway_reply(response) == "unavailable"


def test_rasa_reply_passes_unchanged_when_a_warning_sign_is_answered(client, fake_rasa):
    response = client.post(URL, json={"sender": "p1", "message": WARNING_SIGN})
    assert response.json() == fake_rasa.reply
    assert gateway_reply(response) is None


def _silent_server() -> tuple[socket.socket, int, list]:
    """A real socket that accepts connections and never answers: a hung Rasa."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list = []  # kept by the caller so the connections stay open

    def accept_all() -> None:
        while True:
            try:
                accepted.append(server.accept())
            except OSError:
                return

    threading.Thread(target=accept_all, daemon=True).start()
    return server, server.getsockname()[1], accepted


def test_warning_sign_gets_the_emergency_reply_before_rasa_time_limit_when_rasa_hangs(tmp_path):
    server, port, _connections = _silent_server()
    try:
        settings = Settings(
            _env_file=None,
            rasa_port=port,
            rasa_timeout_seconds=5,
            red_flag_timeout_seconds=0.5,
            tracker_store_url=store_in(tmp_path),
        )
        client = TestClient(create_app(settings), raise_server_exceptions=False)
        began = time.monotonic()
        response = client.post(URL, json={"sender": "p1", "message": WARNING_SIGN})
        elapsed = time.monotonic() - began
        assert response.status_code == 200
        assert gateway_reply(response) == "red_flag"
        assert elapsed < 2
    finally:
        server.close()


def test_ordinary_message_gets_the_short_reply_at_rasa_time_limit_when_rasa_hangs(tmp_path):
    server, port, _connections = _silent_server()
    try:
        settings = Settings(
            _env_file=None,
            rasa_port=port,
            rasa_timeout_seconds=0.5,
            tracker_store_url=store_in(tmp_path),
        )
        client = TestClient(create_app(settings), raise_server_exceptions=False)
        response = client.post(URL, json={"sender": "p1", "message": "hi"})
        assert response.status_code == 200
        assert gateway_reply(response) == "unavailable"
    finally:
        server.close()


def test_chat_answers_with_its_own_reply_when_nothing_listens(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = Settings(_env_file=None, rasa_port=closed_port, tracker_store_url=store_in(tmp_path))
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    response = client.post(URL, json={"sender": "p1", "message": "hi"})
    assert response.status_code == 200
    assert gateway_reply(response) == "unavailable"


def test_openapi_docs_are_served(client):
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert URL in schema["paths"]


def test_openapi_docs_document_the_conversation_token_on_chat_and_deletion(client):
    paths = client.get("/openapi.json").json()["paths"]
    for operation in (paths[URL]["post"], paths["/conversations/{sender_id}"]["delete"]):
        (header,) = [p for p in operation["parameters"] if p["name"] == "X-Conversation-Token"]
        assert header["in"] == "header" and "first reply" in header["description"]
        assert "401" in operation["responses"]
    assert "X-Conversation-Token" in paths[URL]["post"]["description"]


def test_rasa_client_closes_cleanly():
    rasa = RasaClient("http://127.0.0.1:1", "http://127.0.0.1:1", "t", 1.0)
    asyncio.run(rasa.close())


def test_warning_sign_rasa_answers_late_is_still_recorded_by_rasa(tmp_path):
    """The gateway stops waiting at its deadline, not the message: Rasa still gets to finish."""
    finished: list[str] = []

    async def slow_rasa(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.5)
        finished.append(json.loads(request.content)["message"])
        return httpx.Response(200, json=[{"recipient_id": "p1", "text": "late"}])

    settings = Settings(
        _env_file=None, red_flag_timeout_seconds=0.1, tracker_store_url=store_in(tmp_path)
    )
    rasa = RasaClient(
        settings.rasa_url, settings.action_server_url, "t", 2.0, httpx.MockTransport(slow_rasa)
    )
    with TestClient(create_app(settings, rasa=rasa)) as client:
        response = client.post(URL, json={"sender": "p1", "message": WARNING_SIGN})
        assert gateway_reply(response) == "red_flag"
        deadline = time.monotonic() + 5
        while not finished and time.monotonic() < deadline:
            time.sleep(0.05)
    assert finished == [WARNING_SIGN]
