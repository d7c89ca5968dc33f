"""A nurse alert's life after it is posted in Slack: "I'll call", then "Done", each once.

The state is kept in the outbox (nurse_alerts.Outbox); this module holds its shape and how
Slack shows it: the alert, who took it and when, and the buttons still to press. Times are
Slack date tokens, so every nurse reads them in their own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from actions.clients.nurse_alerts import NurseAlert

CLAIM, DONE = "claim", "done"
# The buttons' action_ids. The Slack connector turns a click on one of them into a follow-up
# message for the action server (bot/channels/slack/connector.py knows the same ids).
ACTION_IDS = {CLAIM: "nurse_alert_claim", DONE: "nurse_alert_done"}
BUTTON_TITLES = {CLAIM: "I'll call", DONE: "Done"}


@dataclass(frozen=True)
class PostedMessage:
    """Where a channel shows an alert, so a nurse's click can update it."""

    channel: str
    ts: str


@dataclass(frozen=True)
class FollowUp:
    """An alert as the nurses' channel shows it. `alert` is None once it is done: the outbox
    then forgets the alert's content (the phone number) and keeps who did what, when."""

    alert: NurseAlert | None
    posted: PostedMessage | None = None
    claimed_by: str | None = None
    claimed_at: float | None = None
    done_by: str | None = None
    done_at: float | None = None

    def steps_left(self) -> list[str]:
        if self.done_by:
            return []
        return [DONE] if self.claimed_by else [CLAIM, DONE]


def escape(text: str) -> str:
    """Slack's three control characters, so text from a chat is never read as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_time(at: float) -> str:
    fallback = datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(at)}^{{date_short_pretty}} at {{time}}|{fallback}>"


def status_lines(state: FollowUp) -> list[str]:
    lines = []
    if state.claimed_by and state.claimed_at is not None:
        lines.append(f"Taken by <@{state.claimed_by}>, {slack_time(state.claimed_at)}")
    if state.done_by and state.done_at is not None:
        lines.append(f"Done by <@{state.done_by}>, {slack_time(state.done_at)}")
    return lines


def already_text(state: FollowUp) -> str:
    """What a nurse whose click came too late is told, only to them."""
    lines = status_lines(state)
    return f"Already handled: {lines[-1]}." if lines else "This alert is no longer open."


def alert_text(alert: NurseAlert, state: FollowUp) -> str:
    """The plain text Slack shows in notifications."""
    return "\n".join([alert.text(), *status_lines(state)])


def alert_blocks(alert: NurseAlert, state: FollowUp) -> list[dict[str, Any]]:
    headline, *details = alert.lines()
    text = "\n".join([f"*{escape(headline)}*", *(escape(line) for line in details)])
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    status = status_lines(state)
    if status:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": s} for s in status]}
        )
    steps = state.steps_left()
    if steps:
        buttons = [
            {
                "type": "button",
                "action_id": ACTION_IDS[step],
                "text": {"type": "plain_text", "text": BUTTON_TITLES[step]},
                "value": alert.id,
                **({"style": "primary"} if step == CLAIM else {}),
            }
            for step in steps
        ]
        blocks.append({"type": "actions", "elements": buttons})
    return blocks
