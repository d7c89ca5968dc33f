"""The gateway's calls to Rasa go over aiohttp but fail as httpx does: tried against real sockets,
because what matters is what a dead, silent or half-answering server looks like to the caller."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from bot.gateway.aiohttp_transport import AiohttpTransport
from bot.gateway.rasa_client import CLOSED_BEFORE_REPLY, RasaClient, RasaTimeout, RasaUnavailable

REPLY = b'[{"recipient_id": "web-1", "text": "A bone scan looks at the whole skeleton."}]'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def serve(handle) -> tuple[asyncio.base_events.Server, str]:
    """A raw HTTP server: `handle(reader, writer)` decides what the client gets back."""
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return head + await reader.readexactly(length)


async def answer_json(reader, writer) -> None:
    while True:
        try:
            request = await read_request(reader)
        except asyncio.IncompleteReadError:
            break
        assert b"what is a bone scan" in request
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(REPLY), REPLY)
        )
        await writer.drain()
    writer.close()


async def close_without_reply(reader, writer) -> None:
    await read_request(reader)
    writer.close()


async def reply_half_then_close(reader, writer) -> None:
    await read_request(reader)
    writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n[{"recipient_id"')
    await writer.drain()
    writer.close()


async def never_reply(reader, writer) -> None:
    await read_request(reader)
    await asyncio.sleep(5)


async def client_for(url: str, read_seconds: float = 2.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=AiohttpTransport(keepalive_seconds=2.0),
        base_url=url,
        timeout=httpx.Timeout(read_seconds, connect=2.0),
    )


async def test_a_reply_comes_back_whole_and_the_connection_is_kept_for_the_next_message():
    connections = []

    async def counting(reader, writer):
        connections.append(writer)
        await answer_json(reader, writer)

    server, url = await serve(counting)
    async with await client_for(url) as http:
        for _ in range(3):
            response = await http.post(
                "/webhooks/rest/webhook", json={"message": "what is a bone scan"}
            )
            assert response.status_code == 200
            assert response.json()[0]["text"].startswith("A bone scan")
    server.close()
    assert len(connections) == 1


async def test_nothing_listening_is_a_connect_error():
    async with await client_for(f"http://127.0.0.1:{free_port()}") as http:
        with pytest.raises(httpx.ConnectError):
            await http.post("/webhooks/rest/webhook", json={"message": "hi"})


async def test_a_connection_closed_before_any_reply_is_one_the_caller_may_retry():
    server, url = await serve(close_without_reply)
    async with await client_for(url) as http:
        with pytest.raises(CLOSED_BEFORE_REPLY):
            await http.post("/webhooks/rest/webhook", json={"message": "hi"})
    server.close()


async def test_a_silent_server_is_a_read_timeout():
    server, url = await serve(never_reply)
    async with await client_for(url, read_seconds=0.3) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.post("/webhooks/rest/webhook", json={"message": "hi"})
    server.close()


async def test_rasa_client_never_sends_twice_once_rasa_began_to_answer():
    """Headers then a cut body: final (RasaUnavailable), not retried on a fresh connection."""
    requests = []

    async def counting(reader, writer):
        requests.append(1)
        await reply_half_then_close(reader, writer)

    server, url = await serve(counting)
    rasa = RasaClient(url, "http://127.0.0.1:1", "token", 2.0)
    with pytest.raises(RasaUnavailable):
        await rasa.send_message("web-1", "what is a bone scan")
    await rasa.close()
    server.close()
    assert len(requests) == 1


async def test_rasa_client_tries_once_more_on_a_fresh_connection_when_closed_before_reply():
    calls = []

    async def first_closes_then_answers(reader, writer):
        calls.append(1)
        if len(calls) == 1:
            await close_without_reply(reader, writer)
        else:
            await answer_json(reader, writer)

    server, url = await serve(first_closes_then_answers)
    rasa = RasaClient(url, "http://127.0.0.1:1", "token", 2.0)
    replies = await rasa.send_message("web-1", "what is a bone scan")
    await rasa.close()
    server.close()
    assert replies[0]["text"].startswith("A bone scan")
    assert len(calls) == 2


async def test_rasa_client_times_out_on_a_silent_worker():
    server, url = await serve(never_reply)
    rasa = RasaClient(url, "http://127.0.0.1:1", "token", 0.3)
    with pytest.raises(RasaTimeout):
        await rasa.send_message("web-1", "what is a bone scan")
    await rasa.close()
    server.close()
