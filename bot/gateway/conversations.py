"""What the gateway reads of Rasa's SQL tracker store, and the database it shares with it.

Rasa keeps a conversation as rows of its `events` table, one per event, keyed by sender id.
The gateway only reads them: whether a conversation exists, and which ones have been idle too
long. Deleting goes through Rasa, which holds the conversation's lock while it deletes
(bot/rasa_ext/forget_channel.py). The gateway's own tables (conversation tokens, the retention
job's schedule) live in the same database, through the same SQLAlchemy URL: SQLite or
PostgreSQL alike.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import MetaData, create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.sqlite_engine import sqlite_engine

# The table of Rasa's SQLTrackerStore (rasa.core.tracker_store.SQLTrackerStore.SQLEvent).
EVENTS_TABLE = "events"

T = TypeVar("T")


class ConversationStoreUnavailable(Exception):
    """The tracker store could not be reached or refused the query."""


def sqlite_file(url: str) -> Path | None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_private(path: Path) -> None:
    """The file readable by its owner only (0600), created empty if missing: conversations
    hold health details. SQLite gives its journal files the mode of the database file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)


class ConversationStore:
    def __init__(self, url: str) -> None:
        self._url = url
        self._sqlite = sqlite_file(url) is not None
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._tables_made: set[int] = set()

    @property
    def engine(self) -> Engine:
        # Made on first use: a gateway whose store is down still starts and answers /healthz.
        if self._engine is None:
            database = sqlite_file(self._url)
            if database is not None:
                try:
                    make_private(database)
                except OSError as error:
                    raise ConversationStoreUnavailable(type(error).__name__) from error
            self._engine = self._make_engine(database is not None)
        return self._engine

    def _make_engine(self, sqlite: bool) -> Engine:
        if sqlite:
            # Pooled (SQLAlchemy 1.4 would open the file for every query: with the token
            # checked before and after each message, that was most of the gateway's own time
            # per message), and committing without waiting for the disk while it holds the
            # write lock Rasa's saves wait for.
            return sqlite_engine(self._url)
        # A PostgreSQL server can restart under a pooled connection: pinged before use.
        return create_engine(self._url, pool_pre_ping=True)

    async def read(self, query: Callable[..., T], *args: Any) -> T:
        """`query(*args)`, which only reads, from the event loop where that costs least.

        A read of the SQLite file (write-ahead log, bot/sqlite_engine.py) never waits for a
        writer and takes about 0.15 ms, less than handing it to a thread: 0.4 ms idle, and
        1.2 ms per message measured under load, the thread waiting for the interpreter lock
        while the event loop works. Writes wait for the file's write lock, and PostgreSQL for
        the network: those go to a thread. (A process's first token query also makes the
        gateway's tables, once: `ensure_tables`.)
        """
        if self._sqlite:
            return query(*args)
        return await run_in_threadpool(query, *args)

    def ensure_tables(self, metadata: MetaData) -> Engine:
        """The engine, with the gateway's own tables in `metadata` made once per process.
        Requests in threads, and other gateway processes, race to make them: a loser's "already
        exists" is harmless, so it looks again."""
        with self._lock:
            engine = self.engine
            if id(metadata) not in self._tables_made:
                try:
                    metadata.create_all(engine, checkfirst=True)
                except SQLAlchemyError:
                    metadata.create_all(engine, checkfirst=True)
                self._tables_made.add(id(metadata))
        return engine

    def has_events(self, connection: Connection, sender_id: str) -> bool:
        if not inspect(connection).has_table(EVENTS_TABLE):
            return False
        found = connection.execute(
            text(f"SELECT 1 FROM {EVENTS_TABLE} WHERE sender_id = :sender_id LIMIT 1"),
            {"sender_id": sender_id},
        )
        return found.first() is not None

    def idle_senders(self, before: float, limit: int) -> list[str]:
        """Conversations whose latest event is older than `before` (a Unix time)."""
        try:
            with self.engine.connect() as connection:
                if not inspect(connection).has_table(EVENTS_TABLE):
                    return []
                rows = connection.execute(
                    text(
                        f"SELECT sender_id FROM {EVENTS_TABLE} GROUP BY sender_id "
                        "HAVING MAX(timestamp) < :before LIMIT :limit"
                    ),
                    {"before": before, "limit": limit},
                )
                return [row[0] for row in rows]
        except SQLAlchemyError as error:
            raise ConversationStoreUnavailable(type(error).__name__) from error

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
