"""The SQL tracker store every Rasa worker loads (endpoints.yml, endpoints.scaled.yml).

PostgreSQL: Rasa's SQLTrackerStore keeps a pool of database connections but does not check them
before use. After PostgreSQL restarts every pooled connection is dead, so the first query of
each worker fails; Rasa's FailSafeTrackerStore then answers that message from a blank
conversation and the message is lost. Checking a connection as it leaves the pool (one round
trip) replaces a dead one before it is used, and conversations carry on as if nothing had
happened.

SQLite (one worker, `make run`): Rasa calls the store synchronously on its event loop, so
whatever a save waits for, every other conversation waits for too. With SQLite's default
rollback journal each commit waits for the disk twice (about 2.4 ms here, more on a busy disk)
and each session opens the file anew (SQLAlchemy 1.4 does not pool SQLite files). Profiling
Rasa under load with py-spy put the store's commits and connects among its largest costs. In
write-ahead-log mode with `synchronous=NORMAL` a commit waits for no disk (the log is synced at
checkpoints), and connections are pooled, as SQLAlchemy 2.0 does by default. Nothing is lost
when a process crashes; a power cut can lose the last commits but never corrupts the file.

Rasa's stores cannot delete a conversation; this one can, for "forget me" and the retention
job (bot/rasa_ext/forget_channel.py, which holds the conversation's lock while it does).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class PingingSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store with `pool_pre_ping` on a server, or SQLite in WAL mode; the
    same tables, rows and settings."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        if url.get_backend_name() == "sqlite":
            self.engine = sqlite_engine(url)
        else:
            self.engine = sa.create_engine(
                url,
                pool_pre_ping=True,
                **create_engine_kwargs(url.render_as_string(hide_password=False)),
            )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def delete_conversation(self, sender_id: str) -> bool:
        """Deletes every stored event of one conversation; whether there were any."""
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            self._delete_kept_with(session, sender_id)
            session.commit()
        return deleted > 0

    def _delete_kept_with(self, session: sa.orm.Session, sender_id: str) -> None:
        """What a subclass keeps of the conversation beside its events, deleted in the same
        transaction."""


def sqlite_engine(url: sa.engine.URL) -> sa.engine.Engine:
    engine = sa.create_engine(
        url,
        poolclass=sa.pool.QueuePool,
        # Pooled connections may serve another thread later (never two at once).
        connect_args={"check_same_thread": False},
    )
    sa.event.listen(engine, "connect", _write_ahead_log)
    return engine


def _write_ahead_log(connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
