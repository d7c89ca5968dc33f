"""Refuses a request whose headers are not UTF-8 text, before anything reads them.

Header bytes outside UTF-8 are never what a browser, Slack or the Bot Connector sends; code that
reads headers as text would fail on them with a 500. A 400 says what is wrong instead.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from bot.gateway.errors import send_error


class HeaderCheckMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                try:
                    value.decode("utf-8")
                except UnicodeDecodeError:
                    detail = f"The {name.decode('latin-1')} header is not UTF-8 text."
                    await send_error(send, 400, "invalid_header", detail)
                    return
        await self.app(scope, receive, send)
