"""The gateway's side of the clinic insights, made once per gateway process.

It reads the counts and the review queue from the conversation store (where Rasa records them,
bot/rasa_ext/insights_tracker_store.py), records the messages the gateway had to answer
itself (Rasa never saw them finish), and knows who may open the staff page.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import create_engine

from bot.gateway.own_replies import GATEWAY_REPLY
from bot.gateway.staff.auth import StaffAuth
from bot.gateway.staff.choices import load_choices
from bot.insights.recorder import TurnRecorder, today
from bot.insights.review import ReviewQueue
from bot.insights.summary import summarise
from bot.insights.turns import gateway_turn
from settings.bot import Settings

logger = logging.getLogger(__name__)


class GatewayInsights:
    def __init__(self, settings: Settings) -> None:
        # No connection is made until the first query: the gateway starts with its store down.
        self.engine = create_engine(settings.tracker_store_url, pool_pre_ping=True)
        self.auth = StaffAuth.from_settings(settings)
        self.queue_on = settings.review_queue_on
        self.retention_days = settings.review_retention_days
        self.review = ReviewQueue(self.engine, settings.review_retention_days)
        self.recorder = TurnRecorder(
            self.engine, settings.review_queue_on, settings.review_retention_days
        )

    def announce(self) -> None:
        """Says once, at start, how to open the staff page, or why it is off."""
        if self.auth.made_here:
            # Printed, not logged: it is for the person who ran `make run`, not for log stores.
            print(
                "Staff page: /staff. Sign in with this token, made for this start "
                f"(set STAFF_TOKEN to keep one): {self.auth.token}",
                flush=True,
            )
        elif not self.auth.on:
            logger.warning("the staff page is off: STAFF_TOKEN is not set")

    async def note_own_replies(self, replies: list[dict[str, Any]]) -> None:
        """Counts a message the gateway answered itself (a `gateway_reply` item among them)."""
        for reply in replies:
            custom = reply.get("custom")
            if isinstance(custom, dict) and custom.get(GATEWAY_REPLY):
                turn = gateway_turn(str(custom[GATEWAY_REPLY]), today())
                await run_in_threadpool(self.recorder.record, "", [turn])
                return

    def summary(self, days: int) -> dict[str, Any]:
        return summarise(self.engine, days, today(), load_choices().subject_name)

    def queue_state(self) -> dict[str, Any]:
        return {"on": self.queue_on, "retention_days": self.retention_days}

    def close(self) -> None:
        self.engine.dispose()
