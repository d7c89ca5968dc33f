"""What the widget sends to the gateway, seen from the browser, and a way to hold it back.

A test holds chat requests to play a slow network: a held request waits in the browser until
the test lets it go on to the real gateway.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page, Request, Route

CHAT_ROUTE = "**/webhooks/rest/webhook"


@dataclass(frozen=True)
class SentMessage:
    message: str
    idempotency_key: str | None
    conversation_token: str | None


def sent_message(request: Request) -> SentMessage:
    headers = request.headers  # Playwright gives header names in lower case
    return SentMessage(
        message=json.loads(request.post_data or "{}").get("message", ""),
        idempotency_key=headers.get("idempotency-key"),
        conversation_token=headers.get("x-conversation-token"),
    )


class ChatRequests:
    """Every chat request the page makes, in order; those matching `hold` wait for release()."""

    def __init__(self, page: Page, hold: Callable[[str], bool] = lambda message: False) -> None:
        self.sent: list[SentMessage] = []
        self.held: list[Route] = []
        self._hold = hold
        page.route(CHAT_ROUTE, self._handle)

    def _handle(self, route: Route) -> None:
        message = sent_message(route.request)
        self.sent.append(message)
        if self._hold(message.message):
            self.held.append(route)
        else:
            route.fallback()

    @property
    def messages(self) -> list[str]:
        return [m.message for m in self.sent]

    def release(self) -> None:
        """Lets every held request go on to the gateway, oldest first, and holds no more."""
        self._hold = lambda message: False
        held, self.held = self.held, []
        for route in held:
            route.fallback()
