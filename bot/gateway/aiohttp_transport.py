"""httpx's interface on aiohttp's connections, for the gateway's calls to Rasa.

Every message the gateway relays costs one request to Rasa. Measured sequentially against an
instant server on this machine, httpx's own connection pool (httpcore, over anyio) took 2.7 ms
a request and aiohttp's 1.0 ms. The gateway keeps httpx's interface, so its error handling and
the tests' `httpx.MockTransport` stay as they are, and sends the bytes with aiohttp, which Rasa
already installs. Errors come back as the httpx exceptions they correspond to, so the caller
can still tell "never reached Rasa" (safe to send again) from "Rasa began to answer" (final).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import httpx


class AiohttpTransport(httpx.AsyncBaseTransport):
    """`keepalive_seconds` of None closes each connection after its request."""

    def __init__(self, keepalive_seconds: float | None) -> None:
        self._keepalive_seconds = keepalive_seconds
        self._session: aiohttp.ClientSession | None = None

    def _open_session(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running event loop, as aiohttp wants.
        if self._session is None:
            connector = (
                aiohttp.TCPConnector(force_close=True, limit=0)
                if self._keepalive_seconds is None
                else aiohttp.TCPConnector(keepalive_timeout=self._keepalive_seconds, limit=0)
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                # httpx has already set the headers it wants; aiohttp adds none of its own.
                skip_auto_headers=("User-Agent", "Content-Type", "Accept", "Accept-Encoding"),
                auto_decompress=False,
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=timeouts.get("connect"), sock_read=timeouts.get("read")
        )
        body = await request.aread()
        try:
            response = await self._open_session().request(
                request.method,
                str(request.url),
                headers=list(request.headers.multi_items()),
                data=body or None,
                timeout=timeout,
                allow_redirects=False,
            )
        except Exception as error:
            raise _as_httpx_error(error, request) from error
        return httpx.Response(
            response.status,
            headers=list(response.raw_headers),
            stream=_Body(response, request),
            request=request,
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except Exception as error:
            raise _as_httpx_error(error, self._request) from error

    async def aclose(self) -> None:
        self._response.release()


def _as_httpx_error(error: Exception, request: httpx.Request) -> Exception:
    """The httpx exception httpx's own transport raises for the same failure."""
    message = str(error) or type(error).__name__
    if isinstance(error, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message, request=request)
    if isinstance(error, aiohttp.ServerTimeoutError) and "onnect" in message:
        return httpx.ConnectTimeout(message, request=request)
    if isinstance(error, asyncio.TimeoutError):
        return httpx.ReadTimeout(message, request=request)
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(message, request=request)
    if isinstance(error, aiohttp.ClientPayloadError | aiohttp.ClientOSError):
        return httpx.ReadError(message, request=request)
    if isinstance(error, aiohttp.ClientError):
        return httpx.TransportError(message)
    return error
