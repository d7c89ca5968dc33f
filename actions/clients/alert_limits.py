"""How many nurse call-back alerts may go out: per hour, from everyone and per client address.

A call-back alert asks a nurse to phone someone, so anyone who can reach the website chat could
otherwise keep the nurses busy. Each alert takes a slot first; past NURSE_ALERTS_PER_HOUR, or
NURSE_ALERTS_PER_HOUR_PER_ADDRESS for one address, the person gets the clinic's phone instead.
The address comes from the gateway as an opaque key in the message's metadata
(bot/gateway/ownership.py); chat apps have none, so only the overall limit applies to them.
Slots are kept one hour, in the outbox's SQLite file, so a restart does not reset them.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from actions.clients.private_files import private_file

HOUR_SECONDS = 3600.0


class AlertLimits:
    def __init__(self, path: Path, per_hour: int, per_client_per_hour: int) -> None:
        self.path = path
        self.per_hour = per_hour
        self.per_client_per_hour = per_client_per_hour

    def take_slot(self, client: str | None, now: float) -> bool:
        """True, and counted, when one more alert may go out now for `client`."""
        private_file(self.path)
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db:
            db.execute("create table if not exists alert_slots (at real not null, client text)")
            db.execute("begin immediate")
            db.execute("delete from alert_slots where at <= ?", (now - HOUR_SECONDS,))
            (everyone,) = db.execute("select count(*) from alert_slots").fetchone()
            (this_client,) = db.execute(
                "select count(*) from alert_slots where client = ?", (client,)
            ).fetchone()
            allowed = everyone < self.per_hour and (
                client is None or this_client < self.per_client_per_hour
            )
            if allowed:
                db.execute("insert into alert_slots (at, client) values (?, ?)", (now, client))
            db.execute("commit")
        return allowed
