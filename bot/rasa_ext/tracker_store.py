"""The SQL tracker store every Rasa worker loads (endpoints.yml, endpoints.scaled.yml).

Rasa's SQLTrackerStore keeps a pool of database connections but does not check them before
use. After PostgreSQL restarts every pooled connection is dead, so the first query of each
worker fails; Rasa's FailSafeTrackerStore then answers that message from a blank conversation
and the message is lost. Checking a connection as it leaves the pool (one round trip) replaces
a dead one before it is used, and conversations carry on as if nothing had happened.

Rasa's stores cannot delete a conversation; this one can, for "forget me" and the retention
job (bot/rasa_ext/forget_channel.py, which holds the conversation's lock while it does).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class PingingSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store with `pool_pre_ping`; the same tables, rows and settings."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
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
            session.commit()
        return deleted > 0
