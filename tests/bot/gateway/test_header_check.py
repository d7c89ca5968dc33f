"""Header bytes that are not UTF-8 get a 400 JSON error on every route, never a 500."""

from __future__ import annotations

import httpx
import pytest

from bot.gateway.main import create_app
from settings.bot import Settings

ROUTES = [
    ("POST", "/webhooks/rest/webhook"),
    ("POST", "/webhooks/slack/webhook"),
    ("POST", "/webhooks/botframework/webhook"),
    ("GET", "/healthz"),
    ("GET", "/"),
    ("DELETE", "/conversations/p1"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("header", [b"content-type", b"authorization", b"x-forwarded-for"])
async def test_header_that_is_not_utf8_gets_a_400_json_error(method, path, header, tmp_path):
    settings = Settings(_env_file=None, tracker_store_url=f"sqlite:///{tmp_path / 't.db'}")
    transport = httpx.ASGITransport(app=create_app(settings), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        response = await client.request(
            method,
            path,
            content=b'{"sender": "p1", "message": "hi"}',
            headers=[(b"content-type", b"application/json"), (header, b"caf\xe9 \xff")],
        )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_header"
    assert header.decode() in response.json()["detail"]


def test_utf8_header_text_is_let_through(client):
    response = client.post(
        "/webhooks/rest/webhook",
        json={"sender": "p1", "message": "hi"},
        headers=[(b"x-clinic", "Café Nord".encode())],
    )
    assert response.status_code == 200
