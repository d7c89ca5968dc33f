"""The relay from the gateway to Rasa's connectors, with one or several Rasa workers."""

from __future__ import annotations

import httpx

from bot.gateway.relay import ChannelRelay

WORKERS = ["http://127.0.0.1:5005", "http://127.0.0.1:5006"]


async def test_request_goes_to_another_worker_when_one_refuses_the_connection():
    reached: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.port == 5005:
            raise httpx.ConnectError("connection refused")
        reached.append(str(request.url))
        return httpx.Response(200)

    relay = ChannelRelay(WORKERS, 2.0, transport=httpx.MockTransport(handler))
    for conversation in ("UNURSE:C1", "UNURSE:C2", "UOTHER:D9"):
        relay.relay("/webhooks/slack/webhook", b"{}", {}, conversation)
    await relay.close()
    assert reached == ["http://127.0.0.1:5006/webhooks/slack/webhook"] * 3


async def test_close_waits_for_relays_under_way():
    reached: list[bytes] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        reached.append(request.content)
        return httpx.Response(200)

    relay = ChannelRelay(WORKERS[:1], 2.0, transport=httpx.MockTransport(handler))
    relay.relay("/webhooks/botframework/webhook", b'{"type": "message"}', {}, "a:conversation")
    await relay.close()
    assert reached == [b'{"type": "message"}']
