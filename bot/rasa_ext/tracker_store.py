"""The SQL tracker store every Rasa worker loads (endpoints.yml, endpoints.scaled.yml).

PostgreSQL: Rasa's SQLTrackerStore keeps a pool of database connections but does not check them
before use. After PostgreSQL restarts every pooled connection is dead, so the first query of
each worker fails; Rasa's FailSafeTrackerStore then answers that message from a blank
conversation and the message is lost. Checking a connection as it leaves the pool (one round
trip) replaces a dead one before it is used, and conversations carry on as if nothing had
happened.

SQLite (one worker, `make run`): profiling Rasa under load with py-spy put the store's commits
and connects among its largest costs; the file is opened in write-ahead-log mode on pooled
connections (bot/sqlite_engine.py).

Rasa's stores cannot delete a conversation; this one can, for "forget me" and the retention
job (bot/rasa_ext/forget_channel.py, which holds the conversation's lock while it does).

Each worker also keeps the conversations it answered last in memory. Profiling Rasa under
load (py-spy, 20 messages a second) put about 40 % of its CPU in this store: each message read
its whole conversation back (one query, then every event parsed from JSON and replayed), and
each save counted the stored events again to find the new ones. A conversation is answered by
one worker at a time under its lock, and mostly by the same worker (bot/gateway/workers.py), so
the tracker that worker saved last is the one it reads next. Before it is used, one indexed
query checks that no one has stored an event since (another worker, the staff tools); if
anyone has, it is read from the database as before. What is kept is the tracker as it was saved,
so a turn that changed it and then failed leaves nothing behind. Every event is still written
when it happens, so nothing lives only here.

The kept conversations are pickled, one bytes object each. Kept as trackers, 2,000 of them were
about 300,000 objects that every full garbage collection walked; on the dev stack at 35 messages
a second those pauses grew from 99 to 238 ms as the cache filled, and each one turned patients
away busy. Pickling costs about 0.8 ms a turn (dumps and loads); reading a conversation back
from the database cost 6.8 ms.
"""

from __future__ import annotations

import json
import pickle
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker

from bot.sqlite_engine import sqlite_engine

# Conversations kept per worker: a few hours of a busy clinic's chats, some megabytes.
RECENT_CONVERSATIONS = 2000


@dataclass(slots=True)
class _Saved:
    # The tracker as it was saved. Only this store unpickles it, and only what it pickled.
    pickled: bytes
    # How many of its events are in the database, and the id of the last one (None: none yet).
    stored: int
    last_id: int | None
    # The tracker handed out for the turn, while Rasa still holds it: its save writes only
    # the events past `stored`.
    handed_out: weakref.ref

    def is_handed_out(self, tracker: DialogueStateTracker) -> bool:
        return self.handed_out() is tracker


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
        self._recent: OrderedDict[str, _Saved] = OrderedDict()
        # Conversations `retrieve` found nothing stored for, until their first save. Rasa
        # looks a conversation up and creates it under its lock, so no one stores any meanwhile.
        self._nothing_stored: set[str] = set()
        self._last_id = sa.select(sa.func.max(self.SQLEvent.id)).where(
            self.SQLEvent.sender_id == sa.bindparam("sender_id")
        )

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        saved = self._recent.get(sender_id)
        with self.session_scope() as session:
            last_id = session.execute(self._last_id, {"sender_id": sender_id}).scalar()
        if saved is not None:
            if saved.last_id is not None and last_id == saved.last_id:
                tracker = pickle.loads(saved.pickled)
                saved.handed_out = weakref.ref(tracker)
                self._recent.move_to_end(sender_id)
                return tracker
            del self._recent[sender_id]
        if last_id is None:
            # Nothing stored: a new conversation, which Rasa creates and saves next. Rasa's own
            # query would say the same at several times the cost.
            if len(self._nothing_stored) >= RECENT_CONVERSATIONS:
                self._nothing_stored.clear()  # looked up but never saved: counted as before
            self._nothing_stored.add(sender_id)
            return None
        self._nothing_stored.discard(sender_id)
        return await super().retrieve(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, which also learns the id of the last event stored."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [
                self._row(tracker.sender_id, event)
                for event in self._additional_events(session, tracker)
            ]
            # Rows inserted as plain values, not ORM objects: the ORM's bookkeeping cost more
            # than the insert. The last one alone, to learn its id.
            table = self.SQLEvent.__table__
            if len(rows) > 1:
                session.execute(table.insert(), rows[:-1])
            last_id = (
                session.execute(table.insert(), rows[-1]).inserted_primary_key[0] if rows else None
            )
            session.commit()
        self._nothing_stored.discard(tracker.sender_id)
        saved = self._recent.get(tracker.sender_id)
        if last_id is None and saved is not None and saved.is_handed_out(tracker):
            last_id = saved.last_id
        # A new conversation's first save may store nothing yet (no last id): kept all the
        # same, so the turn's own save finds its new events without counting rows.
        self._recent[tracker.sender_id] = _Saved(
            pickle.dumps(tracker, protocol=pickle.HIGHEST_PROTOCOL),
            len(tracker.events),
            last_id,
            weakref.ref(tracker),
        )
        self._recent.move_to_end(tracker.sender_id)
        while len(self._recent) > RECENT_CONVERSATIONS:
            self._recent.popitem(last=False)

    @staticmethod
    def _row(sender_id: str, event: Any) -> dict[str, Any]:
        # The row Rasa's own save writes (rasa/core/tracker_store.py).
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _additional_events(
        self, session: sa.orm.Session, tracker: DialogueStateTracker
    ) -> Iterator:
        """The events not stored yet: past the ones saved last, for the tracker this store
        handed out; all of them, for a conversation with nothing stored; else Rasa's way,
        counting the stored rows."""
        saved = self._recent.get(tracker.sender_id)
        if saved is not None and saved.is_handed_out(tracker):
            return iter(list(tracker.events)[saved.stored :])
        if tracker.sender_id in self._nothing_stored:
            return iter(list(tracker.events))
        return super()._additional_events(session, tracker)

    def delete_conversation(self, sender_id: str) -> bool:
        """Deletes every stored event of one conversation; whether there were any."""
        self._recent.pop(sender_id, None)
        self._nothing_stored.discard(sender_id)
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
