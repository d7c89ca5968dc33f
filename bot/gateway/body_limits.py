"""Rejects bodies that are too big or not JSON before anything reads them."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.gateway.errors import send_error


class BodyLimitMiddleware:
    """For POST requests: JSON content type only, and at most `max_bytes` of body.

    The size is checked on the declared Content-Length and again while the body streams in,
    so a chunked upload cannot get around it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, json_paths_prefix: str = "/webhooks/rest"):
        self.app = app
        self.max_bytes = max_bytes
        self.json_paths_prefix = json_paths_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        # Latin-1, as Starlette reads headers: it decodes any byte (bad ones get a 400 outside).
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        too_big = f"The request body must be at most {self.max_bytes} bytes."
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await send_error(send, 413, "body_too_large", too_big)
            return
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if scope["path"].startswith(self.json_paths_prefix) and content_type != "application/json":
            await send_error(
                send, 415, "unsupported_media_type", "Send the body as application/json."
            )
            return

        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await send_error(send, 413, "body_too_large", too_big)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
