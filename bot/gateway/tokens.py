"""Conversation tokens: a web conversation belongs to the browser that started it.

The first reply to a sender id that has no conversation yet carries `X-Conversation-Token`, a
random secret (256 bits). Every later message and deletion for that sender must send it back.
Only its SHA-256 is stored, in a table beside Rasa's (the same database, SQLite or PostgreSQL),
so every gateway process knows every token and a leaked database gives no token away.

A refusal never says whether the conversation exists: a wrong token, a missing one, an id
that has a conversation from before tokens, and a conversation being deleted all get the same
401. One exception keeps a lost first reply from locking its browser out: the first message,
resent with the same `Idempotency-Key` within the resend window and still without a token (the
reply that carried it never arrived), is let through to get that reply again
(bot/gateway/idempotency.py), or a new token if that reply is no longer remembered.

A deletion first marks the row (`forgotten_at`): from then on no message is accepted for the
conversation, while a `DELETE` with the token may still finish a deletion that failed halfway.
The row goes once everything is deleted (bot/gateway/forget.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Float,
    MetaData,
    String,
    Table,
    column,
    delete,
    exists,
    insert,
    inspect,
    select,
    table,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.gateway.conversations import (
    EVENTS_TABLE,
    ConversationStore,
    ConversationStoreUnavailable,
)
from bot.gateway.idempotency import WINDOW_SECONDS

TOKEN_HEADER = "X-Conversation-Token"
TOKEN_BYTES = 32
REFUSAL = (
    "This conversation needs the X-Conversation-Token that came with its first reply. "
    "Start a new conversation with a new sender id."
)

_metadata = MetaData()
TOKENS = Table(
    "conversation_tokens",
    _metadata,
    Column("sender_id", String(255), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    # The Idempotency-Key of the message that started the conversation, hashed.
    Column("first_key_hash", String(64)),
    Column("created_at", Float, nullable=False),
    Column("forgotten_at", Float),
)


# Rasa's table, as far as the query above needs it.
EVENTS = table(EVENTS_TABLE, column("sender_id"))


class TokenRefused(Exception):
    """No access: the same answer whatever the reason."""


# Conversations whose token a gateway process keeps in memory: the most recently active.
ADMITTED_KEPT = 10_000


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _same(stored_hash: str | None, value: str | None) -> bool:
    return bool(stored_hash and value) and hmac.compare_digest(stored_hash, digest(value))


@dataclass(frozen=True)
class Admission:
    """A message let in. `token` is the one it showed; None when it starts the conversation
    (or resends the message that started it), and the reply issues one."""

    sender: str
    token: str | None
    idempotency_key: str | None

    @property
    def starts_conversation(self) -> bool:
        return self.token is None


class ConversationTokens:
    def __init__(
        self,
        store: ConversationStore,
        first_reply_seconds: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._first_reply_seconds = first_reply_seconds
        self._clock = clock
        # Conversations this process saw admitted or issued, by sender: their token's hash.
        # A later message showing that token is let in without a query (the check after its
        # reply, `holds`, still reads the store, so a deletion made meanwhile, here or by
        # another gateway, still turns the reply away). Forgetting here drops the entry.
        self._admitted: OrderedDict[str, str] = OrderedDict()
        self._admitted_lock = threading.Lock()

    @property
    def store(self) -> ConversationStore:
        return self._store

    def admitted_before(
        self, sender: str, token: str | None, idempotency_key: str | None
    ) -> Admission | None:
        """The message let in at once when this process already knows its token; else None,
        and `admit` asks the store."""
        if token is None:
            return None
        with self._admitted_lock:
            known = self._admitted.get(sender)
            if known is None or not hmac.compare_digest(known, digest(token)):
                return None
            self._admitted.move_to_end(sender)
        return Admission(sender, token, idempotency_key)

    def _remember(self, sender: str, token_hash: str) -> None:
        with self._admitted_lock:
            self._admitted[sender] = token_hash
            self._admitted.move_to_end(sender)
            while len(self._admitted) > ADMITTED_KEPT:
                self._admitted.popitem(last=False)

    def _drop(self, senders: Iterable[str]) -> None:
        with self._admitted_lock:
            for sender in senders:
                self._admitted.pop(sender, None)

    def _engine(self):
        return self._store.ensure_tables(_metadata)

    def _row(self, connection, sender: str):
        return connection.execute(select(TOKENS).where(TOKENS.c.sender_id == sender)).first()

    def admit(self, sender: str, token: str | None, idempotency_key: str | None) -> Admission:
        """Lets a message in, or raises TokenRefused."""
        try:
            with self._engine().connect() as connection:
                row = self._row(connection, sender)
                if row is None:
                    # An id whose conversation began before tokens existed cannot be claimed.
                    if token is not None or self._store.has_events(connection, sender):
                        raise TokenRefused()
                    return Admission(sender, None, idempotency_key)
        except SQLAlchemyError as error:
            raise ConversationStoreUnavailable(type(error).__name__) from error
        if row.forgotten_at is not None:
            raise TokenRefused()
        if _same(row.token_hash, token):
            self._remember(sender, row.token_hash)
            return Admission(sender, token, idempotency_key)
        if token is None and self._resends_first_message(row, idempotency_key):
            return Admission(sender, None, idempotency_key)
        raise TokenRefused()

    def _resends_first_message(self, row, idempotency_key: str | None) -> bool:
        recent = self._clock() - row.created_at < self._first_reply_seconds
        return recent and _same(row.first_key_hash, idempotency_key)

    def issue(self, admission: Admission) -> str:
        """A new token for a conversation that starts now; TokenRefused if another request
        started it first."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        key = admission.idempotency_key
        values = {
            "token_hash": digest(token),
            "first_key_hash": digest(key) if key else None,
            "created_at": self._clock(),
        }
        try:
            with self._engine().begin() as connection:
                connection.execute(insert(TOKENS).values(sender_id=admission.sender, **values))
            self._remember(admission.sender, values["token_hash"])
            return token
        except IntegrityError:
            pass
        except SQLAlchemyError as error:
            raise ConversationStoreUnavailable(type(error).__name__) from error
        # Taken already: only by this same first message, whose reply was lost.
        try:
            with self._engine().begin() as connection:
                row = self._row(connection, admission.sender)
                if row is None or row.forgotten_at is not None:
                    raise TokenRefused()
                if not self._resends_first_message(row, key):
                    raise TokenRefused()
                connection.execute(
                    update(TOKENS)
                    .where(TOKENS.c.sender_id == admission.sender)
                    .values(token_hash=values["token_hash"])
                )
            self._remember(admission.sender, values["token_hash"])
            return token
        except SQLAlchemyError as error:
            raise ConversationStoreUnavailable(type(error).__name__) from error

    def holds(self, sender: str, token: str) -> bool:
        """Whether `token` is still this conversation's (no deletion began meanwhile)."""
        try:
            with self._engine().connect() as connection:
                row = self._row(connection, sender)
        except SQLAlchemyError as error:
            raise ConversationStoreUnavailable(type(error).__name__) from error
        return row is not None and row.forgotten_at is None and _same(row.token_hash, token)

    def admit_deletion(self, sender: str, token: str | None) -> None:
        """A deletion needs the token too; it may finish one that failed halfway."""
        try:
            with self._engine().connect() as connection:
                row = self._row(connection, sender)
        except SQLAlchemyError as error:
            raise ConversationStoreUnavailable(type(error).__name__) from error
        if row is None or not _same(row.token_hash, token):
            raise TokenRefused()

    def mark_forgotten(self, senders: Iterable[str]) -> None:
        """From now on no message is accepted for these conversations."""
        senders = list(senders)
        self._drop(senders)
        try:
            with self._engine().begin() as connection:
                connection.execute(
                    update(TOKENS)
                    .where(TOKENS.c.sender_id.in_(senders), TOKENS.c.forgotten_at.is_(None))
                    .values(forgotten_at=self._clock())
                )
        except SQLAlchemyError as error:
            raise ConversationStoreUnavailable(type(error).__name__) from error

    def remove(self, senders: Iterable[str]) -> None:
        senders = list(senders)
        self._drop(senders)
        try:
            with self._engine().begin() as connection:
                connection.execute(delete(TOKENS).where(TOKENS.c.sender_id.in_(senders)))
        except SQLAlchemyError as error:
            raise ConversationStoreUnavailable(type(error).__name__) from error

    def unfinished(self, limit: int) -> list[str]:
        """Deletions that began and did not finish (a part was down)."""
        query = select(TOKENS.c.sender_id).where(TOKENS.c.forgotten_at.is_not(None)).limit(limit)
        return self._senders(query)

    def unused(self, before: float, limit: int) -> list[str]:
        """Tokens issued before `before` whose conversation has nothing stored: the first
        message never reached Rasa, or its conversation is gone."""
        query = select(TOKENS.c.sender_id).where(TOKENS.c.created_at < before)
        try:
            with self._engine().connect() as connection:
                if inspect(connection).has_table(EVENTS_TABLE):
                    stored = select(EVENTS.c.sender_id).where(
                        EVENTS.c.sender_id == TOKENS.c.sender_id
                    )
                    query = query.where(~exists(stored))
                return [row[0] for row in connection.execute(query.limit(limit))]
        except SQLAlchemyError as error:
            raise ConversationStoreUnavailable(type(error).__name__) from error

    def _senders(self, query) -> list[str]:
        try:
            with self._engine().connect() as connection:
                return [row[0] for row in connection.execute(query)]
        except SQLAlchemyError as error:
            raise ConversationStoreUnavailable(type(error).__name__) from error
