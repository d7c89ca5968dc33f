"""Nurse alerts: kept in an outbox first, then delivered to the nurses' channel, retried until
they arrive.

The interface is small on purpose, so other parts (the Slack and Teams connectors' tests, a
demo) can reuse it:

    notifier = notifier_from_settings(get_action_settings())
    delivered = await notifier.send(NurseAlert(reason=..., callback_phone=..., source="web"))
    # False: the channel is down; the alert waits in the outbox and `retry_due()` (run every
    # NURSE_ALERT_RETRY_SECONDS by the action server, see rasa_sdk_plugins) delivers it later.

Channels: `LocalFileChannel` (JSON lines, the default, needs no service), `SlackChannel`
(chat.postMessage) and `TeamsChannel` (an incoming webhook). Each has one method,
`async deliver(alert)`, that raises `DeliveryFailed` when the alert did not arrive and returns
where the alert is shown if nurses can act on it there.

In Slack the alert has "I'll call" and "Done" buttons. A click reaches the action server as a
message (bot/channels/slack/connector.py, actions/nurse_follow_up.py) and
`notifier.follow_up(alert_id, step, nurse)` records it once in the outbox and updates the
message (chat.update): two nurses never both take the same call. An incoming webhook (Teams)
cannot receive clicks, so Teams alerts have no buttons.
Nothing here logs the alert's content: it holds a phone number.

What is kept about a person ends: each alert names its conversation by a hash of the sender id
(`conversation_key`), so "forget me" deletes the alerts of a conversation (`forget`: those not
yet delivered, the content of posted ones, the alert file's lines); delivered alerts are
deleted after ALERT_RETENTION_DAYS (`purge_delivered`, run hourly by the action server). The
outbox and the alert file are readable by their owner only.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

import httpx

from actions.clients.alert_follow_up import (
    CLAIM,
    FollowUp,
    PostedMessage,
    alert_blocks,
    alert_text,
    already_text,
)
from actions.clients.private_files import private_file
from settings.actions import ActionSettings

logger = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 3600.0


def conversation_key(sender_id: str) -> str:
    """How an alert names its conversation: enough to find it, not the id itself."""
    return hashlib.sha256(sender_id.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class NurseAlert:
    """A request for a nurse to call, holding only what the person agreed to share."""

    reason: str
    callback_phone: str
    source: str
    urgent: bool = False
    # conversation_key() of the conversation that asked; empty for alerts made elsewhere.
    conversation: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created_at: str = field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )

    def lines(self) -> list[str]:
        headline = "Nurse call-back requested"
        return [
            f"URGENT: {headline}" if self.urgent else headline,
            f"Why: {self.reason}",
            f"Call: {self.callback_phone}",
            f"From: {self.source} chat, {self.created_at}",
        ]

    def text(self) -> str:
        return "\n".join(self.lines())


class DeliveryFailed(Exception):
    """The alert did not reach the channel; the reason is safe to log (no alert content)."""


class AlertChannel(Protocol):
    name: str

    async def deliver(self, alert: NurseAlert) -> PostedMessage | None: ...


class LocalFileChannel:
    """Appends each alert as one JSON line: the mode that needs no outside service."""

    name = "local_file"

    def __init__(self, path: Path) -> None:
        self.path = path

    async def deliver(self, alert: NurseAlert) -> None:
        try:
            private_file(self.path)
            with self.path.open("a", encoding="utf-8") as handle:
                # Not while lines are being deleted (`keep_only`).
                fcntl.flock(handle, fcntl.LOCK_EX)
                handle.write(json.dumps(asdict(alert) | {"text": alert.text()}) + "\n")
        except OSError as error:
            raise DeliveryFailed(f"cannot write {self.path.name}: {error.strerror}") from error

    def keep_only(self, keep: Callable[[dict], bool]) -> int:
        """Deletes the lines `keep` refuses, in place; returns how many went."""
        if not self.path.exists():
            return 0
        with self.path.open("r+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            lines = handle.readlines()
            kept = [line for line in lines if _keeps(keep, line)]
            if len(kept) != len(lines):
                handle.seek(0)
                handle.writelines(kept)
                handle.truncate()
        return len(lines) - len(kept)


def _keeps(keep: Callable[[dict], bool], line: str) -> bool:
    try:
        alert = json.loads(line)
    except ValueError:
        return True  # not an alert this code wrote: left alone
    return not isinstance(alert, dict) or keep(alert)


class SlackChannel:
    """Posts with chat.postMessage, with buttons; updates the message when a nurse clicks.

    Slack answers 200 with `"ok": false` on errors."""

    name = "slack"

    def __init__(
        self,
        api_base_url: str,
        token: str,
        channel: str,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.api_base_url = api_base_url.rstrip("/")
        self.token = token
        self.channel = channel
        self.timeout = timeout
        self.transport = transport

    async def deliver(self, alert: NurseAlert) -> PostedMessage:
        state = FollowUp(alert)
        answer = await self._call(
            "chat.postMessage",
            {
                "channel": self.channel,
                "text": alert_text(alert, state),
                "blocks": alert_blocks(alert, state),
                "unfurl_links": False,
            },
        )
        return PostedMessage(answer.get("channel") or self.channel, str(answer.get("ts")))

    async def show(self, state: FollowUp) -> None:
        """The alert's message, redrawn with who took it and when."""
        if state.alert is None or state.posted is None:
            return
        await self._call(
            "chat.update",
            {
                "channel": state.posted.channel,
                "ts": state.posted.ts,
                "text": alert_text(state.alert, state),
                "blocks": alert_blocks(state.alert, state),
            },
        )

    async def tell(self, state: FollowUp, nurse: str) -> None:
        """Only to `nurse`: someone was first."""
        if state.posted is None:
            return
        body = {"channel": state.posted.channel, "user": nurse, "text": already_text(state)}
        await self._call("chat.postEphemeral", body)

    async def _call(self, method: str, body: dict) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as http:
            try:
                response = await http.post(
                    f"{self.api_base_url}/{method}", json=body, headers=headers
                )
            except httpx.HTTPError as error:
                raise DeliveryFailed(f"slack unreachable: {type(error).__name__}") from error
        if response.status_code != 200:
            raise DeliveryFailed(f"slack answered {response.status_code}")
        try:
            answer = response.json()
        except ValueError as error:
            raise DeliveryFailed("slack answered with something that is not JSON") from error
        if not answer.get("ok"):
            raise DeliveryFailed(f"slack refused: {answer.get('error', 'unknown error')}")
        return answer


class TeamsChannel:
    """Posts an Adaptive Card to an incoming webhook (Workflows or the older connectors)."""

    name = "teams"

    def __init__(
        self,
        webhook_url: str,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.webhook_url = webhook_url
        self.timeout = timeout
        self.transport = transport

    @staticmethod
    def card(alert: NurseAlert) -> dict:
        first, *rest = alert.lines()
        blocks = [{"type": "TextBlock", "text": first, "weight": "Bolder", "wrap": True}]
        blocks += [{"type": "TextBlock", "text": line, "wrap": True} for line in rest]
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": blocks,
                    },
                }
            ],
        }

    async def deliver(self, alert: NurseAlert) -> None:
        async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as http:
            try:
                response = await http.post(self.webhook_url, json=self.card(alert))
            except httpx.HTTPError as error:
                raise DeliveryFailed(f"teams unreachable: {type(error).__name__}") from error
        # The older connectors answer 200 with an error text when they drop a message.
        if not response.is_success or "failed" in response.text.lower():
            raise DeliveryFailed(f"teams answered {response.status_code}")


class Outbox:
    """Alerts not yet delivered, in SQLite: they survive restarts and a channel being down."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        private_file(self.path)
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute(
            "create table if not exists alerts (id text primary key, alert text not null, "
            "attempts integer not null default 0, next_try real not null, last_error text)"
        )
        # Delivered alerts that nurses can act on, and what they did.
        db.execute(
            "create table if not exists posted (id text primary key, alert text, "
            "channel text not null, ts text not null, claimed_by text, claimed_at real, "
            "done_by text, done_at real)"
        )
        return db

    def add(self, alert: NurseAlert, next_try: float) -> None:
        with self._db() as db:
            db.execute(
                "insert into alerts (id, alert, next_try) values (?, ?, ?)",
                (alert.id, json.dumps(asdict(alert)), next_try),
            )

    def claim_due(self, now: float, lease: float) -> list[tuple[NurseAlert, int]]:
        """Alerts whose time has come, each with its attempts so far; reserved for `lease`
        seconds so two workers never send the same alert at once."""
        if not self.path.exists():
            return []  # nothing was ever kept; do not create the file just to look
        with self._db() as db:
            db.execute("begin immediate")
            rows = db.execute(
                "select id, alert, attempts from alerts where next_try <= ? order by next_try",
                (now,),
            ).fetchall()
            db.executemany(
                "update alerts set next_try = ? where id = ?", [(now + lease, r[0]) for r in rows]
            )
            db.execute("commit")
        return [(NurseAlert(**json.loads(alert)), attempts) for _, alert, attempts in rows]

    def delivered(self, alert_id: str, posted: PostedMessage | None = None) -> None:
        """Out of the queue. Kept while nurses can still act on it where it was `posted`;
        otherwise gone: this file keeps no phone number longer than it must."""
        with self._db() as db:
            db.execute("begin immediate")
            if posted is not None:
                db.execute(
                    "insert or replace into posted (id, alert, channel, ts) "
                    "select id, alert, ?, ? from alerts where id = ?",
                    (posted.channel, posted.ts, alert_id),
                )
            db.execute("delete from alerts where id = ?", (alert_id,))
            db.execute("commit")

    def record(
        self, alert_id: str, step: str, nurse: str, at: float
    ) -> tuple[bool, FollowUp | None]:
        """A nurse's click, taken only if it is the first of its kind: whether it changed
        anything, and the alert's state after it (None for an alert not posted here)."""
        if step == CLAIM:
            change = (
                "update posted set claimed_by = ?, claimed_at = ? "
                "where id = ? and claimed_by is null and done_by is null"
            )
        else:
            change = "update posted set done_by = ?, done_at = ? where id = ? and done_by is null"
        with self._db() as db:
            db.execute("begin immediate")
            changed = db.execute(change, (nurse, at, alert_id)).rowcount == 1
            row = db.execute(
                "select alert, channel, ts, claimed_by, claimed_at, done_by, done_at "
                "from posted where id = ?",
                (alert_id,),
            ).fetchone()
            db.execute("commit")
        if row is None:
            return False, None
        alert, channel, ts, *who_when = row
        content = NurseAlert(**json.loads(alert)) if alert else None
        return changed, FollowUp(content, PostedMessage(channel, ts), *who_when)

    def forget_content(self, alert_id: str) -> None:
        """Once done, only who did what and when stays; the phone number goes."""
        with self._db() as db:
            db.execute("update posted set alert = null where id = ?", (alert_id,))

    def forget(self, keys: Iterable[str]) -> tuple[int, int]:
        """Deletes the alerts of these conversations that wait for delivery, and the content
        of those posted (who clicked what stays); how many of each."""
        keys = list(keys)
        if not keys or not self.path.exists():
            return 0, 0
        marks = ",".join("?" * len(keys))
        with self._db() as db:
            db.execute("begin immediate")
            waiting = db.execute(
                f"delete from alerts where json_extract(alert, '$.conversation') in ({marks})",
                keys,
            ).rowcount
            delivered = db.execute(
                "update posted set alert = null "
                f"where alert is not null and json_extract(alert, '$.conversation') in ({marks})",
                keys,
            ).rowcount
            db.execute("commit")
        return waiting, delivered

    def purge_posted(self, before: float) -> int:
        """Deletes posted alerts older than `before` (a Slack ts is the time it was posted)."""
        if not self.path.exists():
            return 0
        with self._db() as db:
            return db.execute("delete from posted where cast(ts as real) < ?", (before,)).rowcount

    def failed(self, alert_id: str, error: str, next_try: float) -> None:
        with self._db() as db:
            db.execute(
                "update alerts set attempts = attempts + 1, last_error = ?, next_try = ? "
                "where id = ?",
                (error, next_try, alert_id),
            )

    def pending(self) -> list[dict]:
        """What is waiting, without the alerts' content (for health checks and tests)."""
        if not self.path.exists():
            return []
        with self._db() as db:
            rows = db.execute(
                "select id, attempts, next_try, last_error from alerts order by next_try"
            ).fetchall()
        return [{"id": r[0], "attempts": r[1], "next_try": r[2], "last_error": r[3]} for r in rows]

    def _db(self) -> closing[sqlite3.Connection]:
        return closing(self._connect())


def _created(alert: dict) -> datetime:
    try:
        created = datetime.fromisoformat(str(alert.get("created_at")))
    except ValueError:
        return datetime.max.replace(tzinfo=timezone.utc)  # no date: kept for a person to see
    return created if created.tzinfo else created.replace(tzinfo=timezone.utc)


class NurseNotifier:
    def __init__(
        self,
        outbox: Outbox,
        channel: AlertChannel,
        retry_seconds: float = 30.0,
        max_backoff_seconds: float = 900.0,
        lease_seconds: float = 10.0,
        clock: Callable[[], float] = time.time,
        retention_days: float = 7.0,
    ) -> None:
        """`lease_seconds` must outlast one delivery attempt (twice the channel's timeout)."""
        self.outbox = outbox
        self.channel = channel
        self.retry_seconds = retry_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.lease_seconds = lease_seconds
        self.clock = clock
        self.retention_seconds = retention_days * 86_400

    def backoff(self, attempts: int) -> float:
        """Wait after the given number of failed attempts: doubling, capped."""
        return min(self.retry_seconds * 2 ** max(attempts - 1, 0), self.max_backoff_seconds)

    async def send(self, alert: NurseAlert) -> bool:
        """Keeps the alert, then tries to deliver it now.

        True when it reached the channel; False when it waits in the outbox to be retried.
        """
        # Stored before the first attempt, and reserved while it runs: a crash or a slow
        # channel cannot lose it, and the retry loop does not send it twice meanwhile.
        self.outbox.add(alert, next_try=self.clock() + self.lease_seconds)
        return await self._attempt(alert, attempts=0)

    async def retry_due(self) -> int:
        """Delivers the alerts whose retry time has come; returns how many arrived."""
        due = self.outbox.claim_due(self.clock(), lease=self.lease_seconds)
        arrived = 0
        for alert, attempts in due:
            arrived += await self._attempt(alert, attempts)
        return arrived

    async def run(self) -> None:
        """Retries forever; the action server runs this as a background task."""
        while True:
            try:
                await self.retry_due()
            except sqlite3.Error as error:
                logger.error("nurse alert outbox unreadable: %s", error)
            await asyncio.sleep(self.retry_seconds)

    def forget(self, sender_ids: Iterable[str]) -> dict[str, int]:
        """Deletes what is kept of these conversations' alerts: how many were still waiting
        (now never sent) and how many had been delivered."""
        keys = [conversation_key(sender) for sender in sender_ids]
        waiting, delivered = self.outbox.forget(keys)
        if isinstance(self.channel, LocalFileChannel):
            delivered += self.channel.keep_only(lambda alert: alert.get("conversation") not in keys)
        return {"waiting": waiting, "delivered": delivered}

    def purge_delivered(self) -> int:
        """Deletes delivered alerts older than the retention period; how many went."""
        before = self.clock() - self.retention_seconds
        purged = self.outbox.purge_posted(before)
        if isinstance(self.channel, LocalFileChannel):
            cutoff = datetime.fromtimestamp(before, timezone.utc)
            purged += self.channel.keep_only(lambda alert: _created(alert) >= cutoff)
        return purged

    async def purge_forever(self) -> None:
        """Purges every hour; the action server runs this as a background task."""
        while True:
            try:
                purged = self.purge_delivered()
            except (sqlite3.Error, OSError) as error:
                logger.error("could not purge delivered nurse alerts: %s", error)
            else:
                if purged:
                    logger.info("purged %d delivered nurse alerts", purged)
            await asyncio.sleep(PURGE_EVERY_SECONDS)

    async def follow_up(self, alert_id: str, step: str, nurse: str) -> bool:
        """A nurse pressed "I'll call" or "Done" on a posted alert. The first such click is
        recorded and shown on the alert; a later one changes nothing and the nurse is told,
        only them, who was first. True when this click was recorded."""
        changed, state = self.outbox.record(alert_id, step, nurse, self.clock())
        if state is None or not isinstance(self.channel, SlackChannel):
            logger.warning("nurse alert %s: a click for an alert not posted here", alert_id)
            return False
        try:
            if changed:
                await self.channel.show(state)
            else:
                await self.channel.tell(state, nurse)
        except DeliveryFailed as error:
            logger.warning("nurse alert %s: follow-up not shown (%s)", alert_id, error)
        if changed and state.done_by:
            self.outbox.forget_content(alert_id)
        return changed

    async def _attempt(self, alert: NurseAlert, attempts: int) -> bool:
        try:
            posted = await self.channel.deliver(alert)
        except DeliveryFailed as error:
            wait = self.backoff(attempts + 1)
            self.outbox.failed(alert.id, str(error), self.clock() + wait)
            logger.warning(
                "nurse alert %s not delivered to %s (%s); retry in %.0f s",
                alert.id,
                self.channel.name,
                error,
                wait,
            )
            return False
        self.outbox.delivered(alert.id, posted)
        logger.info("nurse alert %s delivered to %s", alert.id, self.channel.name)
        return True


def channel_from_settings(
    settings: ActionSettings, transport: httpx.AsyncBaseTransport | None = None
) -> AlertChannel:
    timeout = settings.nurse_alert_timeout_seconds
    if settings.nurse_alert_mode == "slack":
        return SlackChannel(
            settings.slack_api_base_url,
            settings.slack_bot_token.get_secret_value(),
            settings.slack_nurse_channel,
            timeout,
            transport,
        )
    if settings.nurse_alert_mode == "teams":
        return TeamsChannel(settings.teams_nurse_webhook_url.get_secret_value(), timeout, transport)
    return LocalFileChannel(settings.nurse_alert_file)


def notifier_from_settings(
    settings: ActionSettings, transport: httpx.AsyncBaseTransport | None = None
) -> NurseNotifier:
    return NurseNotifier(
        Outbox(settings.nurse_alert_outbox),
        channel_from_settings(settings, transport),
        settings.nurse_alert_retry_seconds,
        settings.nurse_alert_max_backoff_seconds,
        lease_seconds=2 * settings.nurse_alert_timeout_seconds,
        retention_days=settings.alert_retention_days,
    )
