"""The SQLAlchemy engine for the SQLite file Rasa and the gateway share (one worker, `make run`).

With SQLite's default rollback journal each commit waits for the disk twice (about 2.4 ms here,
more on a busy disk), and a write holds the file's one write lock while it waits. Rasa calls
its store synchronously on its event loop, so whatever a save waits for, every conversation
waits for too, including a gateway's commit that holds the lock. In write-ahead-log mode with
`synchronous=NORMAL` a commit waits for no disk (the log is synced at checkpoints). Nothing is
lost when a process crashes; a power cut can lose the last commits but never corrupts the file.
Every connection sets both, whichever process opens the file first.

Connections are pooled, as SQLAlchemy 2.0 does by default (1.4 opens the file anew for every
session); a pooled connection serves one thread at a time.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def sqlite_engine(url: str | sa.engine.URL) -> sa.engine.Engine:
    engine = sa.create_engine(
        url,
        poolclass=sa.pool.QueuePool,
        connect_args={"check_same_thread": False},
    )
    sa.event.listen(engine, "connect", _write_ahead_log)
    return engine


def _write_ahead_log(connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
