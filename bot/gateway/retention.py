"""Retention: conversations idle longer than RETENTION_DAYS are deleted, by one process.

Every gateway process looks every minute (or every RETENTION_JOB_INTERVAL_SECONDS, if shorter)
whether the job is due. Whether it is due is one row in the shared database, moved forward by
an atomic compare-and-set: however many gateway processes run (two replicas, or one in front
of several Rasa workers), one of them runs the job per interval, and if that one dies another
takes the next turn.

A run deletes, the way "forget me" does (bot/gateway/forget.py):
- conversations whose latest event is older than RETENTION_DAYS;
- tokens that old whose conversation has nothing stored;
- deletions that began and did not finish (a part was down at the time).
Nurse alerts have their own, shorter retention, kept by the action server (ALERT_RETENTION_DAYS).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Column, Float, MetaData, String, Table, insert, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.gateway.conversations import ConversationStore, ConversationStoreUnavailable
from bot.gateway.forget import ForgetFailed, Forgetter
from bot.gateway.tokens import ConversationTokens

logger = logging.getLogger(__name__)

JOB_NAME = "retention"
DAY_SECONDS = 86_400
BATCH = 200
LOOK_SECONDS = 60.0

_metadata = MetaData()
JOBS = Table(
    "scheduled_jobs",
    _metadata,
    Column("name", String(64), primary_key=True),
    Column("next_run", Float, nullable=False),
)


class Schedule:
    """When a job shared by every process runs next, in the shared database."""

    def __init__(self, store: ConversationStore, interval_seconds: float) -> None:
        self._store = store
        self._interval = interval_seconds

    def claim(self, name: str, now: float) -> bool:
        """True for the one caller that finds the job due; the next turn is then set."""
        engine = self._store.ensure_tables(_metadata)
        next_run = now + self._interval
        with engine.begin() as connection:
            moved = connection.execute(
                update(JOBS)
                .where(JOBS.c.name == name, JOBS.c.next_run <= now)
                .values(next_run=next_run)
            )
            if moved.rowcount == 1:
                return True
        try:
            with engine.begin() as connection:
                connection.execute(insert(JOBS).values(name=name, next_run=next_run))
        except IntegrityError:
            return False  # not due, or another process just took it
        return True


class Retention:
    def __init__(
        self,
        store: ConversationStore,
        tokens: ConversationTokens,
        forgetter: Forgetter,
        retention_days: float,
        interval_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._tokens = tokens
        self._forgetter = forgetter
        self._retention_seconds = retention_days * DAY_SECONDS
        self._interval = interval_seconds
        self._schedule = Schedule(store, interval_seconds)
        self._clock = clock

    async def run_forever(self) -> None:
        while True:
            try:
                if await run_in_threadpool(self._schedule.claim, JOB_NAME, self._clock()):
                    await self.run_once()
            except (SQLAlchemyError, ConversationStoreUnavailable) as error:
                logger.warning("retention job skipped, the store failed: %s", error)
            await asyncio.sleep(min(self._interval, LOOK_SECONDS))

    async def run_once(self) -> int:
        """Deletes what is due; returns how many conversations went."""
        before = self._clock() - self._retention_seconds
        deleted = 0
        while True:
            due = await run_in_threadpool(self._due, before)
            if not due:
                break
            try:
                await self._forgetter.forget(due)
            except ForgetFailed:
                break  # the next run tries again
            deleted += len(due)
            if len(due) < BATCH:
                break
        if deleted:
            logger.info("retention: %d conversations deleted", deleted)
        return deleted

    def _due(self, before: float) -> list[str]:
        due = dict.fromkeys(self._tokens.unfinished(BATCH))
        due.update(dict.fromkeys(self._store.idle_senders(before, BATCH)))
        due.update(dict.fromkeys(self._tokens.unused(before, BATCH)))
        return list(due)[:BATCH]
