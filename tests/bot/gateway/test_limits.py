"""Rate limits per client address and per sender id; the address behind trusted proxies."""

from __future__ import annotations

import uuid

import httpx
import pytest
from starlette.requests import Request

from bot.gateway.limits import ClientAddresses, parse_networks
from tests.bot.gateway.conftest import send


def request_from(peer: str, forwarded: list[str] | None = None) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded or []]
    return Request({"type": "http", "client": (peer, 5555), "headers": headers})


def test_rotating_sender_ids_from_one_address_are_limited(make_client, fake_rasa):
    client = make_client(rate_limit_per_address_per_minute=20)
    answers = [send(client, f"web-{uuid.uuid4().hex}", "hi") for _ in range(1000)]
    statuses = [response.status_code for response in answers]
    assert statuses[:20] == [200] * 20
    assert set(statuses[20:]) == {429}
    assert len(fake_rasa.received) == 20
    limited = answers[-1]
    assert limited.json()["error"] == "rate_limited"
    assert "from your network" in limited.json()["detail"]
    assert 1 <= int(limited.headers["retry-after"]) <= 60


async def test_addresses_behind_a_trusted_proxy_are_counted_apart(make_client):
    app = make_client(rate_limit_per_address_per_minute=2, trusted_proxies="10.0.0.0/8").app
    transport = httpx.ASGITransport(app=app, client=("10.0.0.7", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as proxy:

        async def message_from(address: str) -> int:
            response = await proxy.post(
                "/webhooks/rest/webhook",
                json={"sender": f"web-{uuid.uuid4().hex}", "message": "hi"},
                headers={"X-Forwarded-For": f"198.51.100.99, {address}"},
            )
            return response.status_code

        first = [await message_from("203.0.113.1") for _ in range(3)]
        second = [await message_from("203.0.113.2") for _ in range(3)]
    assert first == second == [200, 200, 429]


def test_the_address_is_the_first_untrusted_hop_from_the_right():
    addresses = ClientAddresses(parse_networks("10.0.0.0/8, 192.168.1.4"))
    assert addresses.of(request_from("10.1.2.3", ["203.0.113.9"])) == "203.0.113.9"
    # What the client wrote itself (on the left) is not believed.
    spoofed = ["198.51.100.1, 203.0.113.9, 192.168.1.4"]
    assert addresses.of(request_from("10.1.2.3", spoofed)) == "203.0.113.9"
    assert addresses.of(request_from("10.1.2.3", ["198.51.100.1", "203.0.113.9"])) == (
        "203.0.113.9"
    )
    assert addresses.of(request_from("10.1.2.3")) == "10.1.2.3"


def test_forwarded_for_from_an_untrusted_peer_is_ignored():
    addresses = ClientAddresses(parse_networks("10.0.0.0/8"))
    assert addresses.of(request_from("203.0.113.9", ["198.51.100.1"])) == "203.0.113.9"
    assert ClientAddresses().of(request_from("127.0.0.1", ["198.51.100.1"])) == "127.0.0.1"


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "proxy.example", "10.0.0.1, nope"])
def test_a_trusted_proxy_that_is_not_an_address_stops_the_start(make_client, bad):
    with pytest.raises(ValueError, match="not an address or network"):
        make_client(trusted_proxies=bad)
