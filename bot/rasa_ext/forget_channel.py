"""Deletes conversations while holding each one's lock, inside Rasa: "forget me" and retention.

Rasa saves a conversation at the end of every message it handles, holding the conversation's
lock from the message's arrival to that save. A deletion made from outside, while a message is
being handled, would be undone by that save. So the gateway asks Rasa to delete, and Rasa does
it under the same lock: a message being handled finishes and is saved first, then everything is
deleted. The lock is Rasa's own lock store: in memory for one Rasa process, or Redis, shared by
every worker (bot/rasa_ext/lock_store.py).

Not a chat channel: an input channel is how Rasa lets a project add routes to its server
(credentials.yml names this class). The route needs Rasa's API token, like Rasa's own API:

    POST /webhooks/forget/conversations?token=<RASA_TOKEN>   {"sender_ids": ["web-...", ...]}
    -> 200 {"deleted": <how many of them had something stored>}
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from redis.exceptions import RedisError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.rasa_ext.tracker_store import PingingSQLTrackerStore
from settings.bot import get_settings

logger = logging.getLogger(__name__)

MAX_SENDERS = 500
MAX_SENDER_CHARS = 255  # the width of Rasa's sender_id column
# How often a deletion waiting behind a message checks the lock again (Rasa's default: 1 s).
LOCK_POLL_SECONDS = 0.1


def _wrapped_stores(store: TrackerStore | None) -> Iterator[TrackerStore]:
    """The store Rasa uses and the ones it wraps (FailSafeTrackerStore, AwaitableTrackerStore)."""
    while store is not None:
        yield store
        store = getattr(store, "_tracker_store", None)


def _forget_one(tracker_store: TrackerStore, sender_id: str) -> bool:
    deleted = False
    for store in _wrapped_stores(tracker_store):
        if isinstance(store, PingingSQLTrackerStore):
            deleted = store.delete_conversation(sender_id) or deleted
        # Where Rasa kept a conversation while the database was down.
        fallback = getattr(store, "_fallback_tracker_store", None)
        if isinstance(fallback, InMemoryTrackerStore):
            deleted = fallback.store.pop(sender_id, None) is not None or deleted
    return deleted


def _sender_ids(body: Any) -> list[str] | None:
    ids = body.get("sender_ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_SENDERS:
        return None
    if not all(isinstance(i, str) and 1 <= len(i) <= MAX_SENDER_CHARS for i in ids):
        return None
    return ids


class ForgetConversations(InputChannel):
    def __init__(self, token: str) -> None:
        self.token = token

    @classmethod
    def name(cls) -> str:
        return "forget"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(get_settings().rasa_token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        routes = Blueprint("forget_conversations", __name__)

        @routes.route("/conversations", methods=["POST"])
        async def forget(request: Request) -> HTTPResponse:
            given = request.args.get("token") or ""
            # No token set: nothing may delete.
            if not self.token or not hmac.compare_digest(given.encode(), self.token.encode()):
                return response.json({"error": "unauthorized"}, status=401)
            sender_ids = _sender_ids(request.json)
            if sender_ids is None:
                detail = f"sender_ids: 1-{MAX_SENDERS} ids of 1-{MAX_SENDER_CHARS} characters"
                return response.json({"error": "invalid_request", "detail": detail}, status=422)
            agent = request.app.ctx.agent
            if agent is None or agent.tracker_store is None or agent.lock_store is None:
                return response.json({"error": "not_ready"}, status=503)
            deleted = 0
            try:
                for sender_id in sender_ids:
                    async with agent.lock_store.lock(
                        sender_id, wait_time_in_seconds=LOCK_POLL_SECONDS
                    ):
                        deleted += _forget_one(agent.tracker_store, sender_id)
            except (LockError, RedisError, SQLAlchemyError) as error:
                logger.warning("could not delete conversations: %s", type(error).__name__)
                return response.json({"error": "store_unavailable"}, status=503)
            logger.info("deleted %d of %d conversations", deleted, len(sender_ids))
            return response.json({"deleted": deleted})

        return routes
