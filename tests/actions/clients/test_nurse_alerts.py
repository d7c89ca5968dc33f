"""Nurse alerts: kept first, delivered to Slack, Teams or a file, never lost when a channel is down.

Slack and Teams are played by httpx MockTransports: no network.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import stat

import httpx
import pytest
from pydantic import ValidationError

from actions.clients.alert_follow_up import PostedMessage
from actions.clients.nurse_alerts import (
    DeliveryFailed,
    LocalFileChannel,
    NurseAlert,
    NurseNotifier,
    Outbox,
    SlackChannel,
    TeamsChannel,
    conversation_key,
    notifier_from_settings,
)
from settings.actions import ActionSettings

ALERT = NurseAlert(reason="Asked to talk to a nurse.", callback_phone="312 555 0142", source="web")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class FlakyChannel:
    """Down until `up` is set; records what arrived."""

    name = "flaky"

    def __init__(self) -> None:
        self.up = False
        self.arrived: list[NurseAlert] = []

    async def deliver(self, alert: NurseAlert) -> None:
        if not self.up:
            raise DeliveryFailed("down for the test")
        self.arrived.append(alert)


def notifier(tmp_path, channel, clock=None) -> NurseNotifier:
    return NurseNotifier(
        Outbox(tmp_path / "outbox.db"),
        channel,
        retry_seconds=30,
        max_backoff_seconds=300,
        clock=clock or FakeClock(),
    )


def test_alert_delivered_at_once_leaves_nothing_in_the_outbox(tmp_path):
    channel = FlakyChannel()
    channel.up = True
    sender = notifier(tmp_path, channel)
    assert asyncio.run(sender.send(ALERT)) is True
    assert channel.arrived == [ALERT]
    assert sender.outbox.pending() == []


def test_alert_survives_the_channel_being_down_and_a_restart_then_arrives_once(tmp_path):
    clock = FakeClock()
    channel = FlakyChannel()
    assert asyncio.run(notifier(tmp_path, channel, clock).send(ALERT)) is False
    assert asyncio.run(notifier(tmp_path, channel, clock).retry_due()) == 0  # not due yet

    clock.now += 30
    assert asyncio.run(notifier(tmp_path, channel, clock).retry_due()) == 0  # still down
    (waiting,) = Outbox(tmp_path / "outbox.db").pending()
    assert waiting["attempts"] == 2

    channel.up = True
    clock.now += 60
    restarted = notifier(tmp_path, channel, clock)  # a new process, the same outbox file
    assert asyncio.run(restarted.retry_due()) == 1
    assert channel.arrived == [ALERT]
    assert restarted.outbox.pending() == []
    assert asyncio.run(restarted.retry_due()) == 0


def test_retries_back_off_doubling_up_to_the_cap(tmp_path):
    sender = notifier(tmp_path, FlakyChannel())
    assert [sender.backoff(n) for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]


def test_an_alert_being_retried_is_not_claimed_twice(tmp_path):
    outbox = Outbox(tmp_path / "outbox.db")
    outbox.add(ALERT, next_try=0)
    assert [a.id for a, _ in outbox.claim_due(now=10, lease=30)] == [ALERT.id]
    assert outbox.claim_due(now=20, lease=30) == []


def test_local_file_channel_writes_one_private_json_line_per_alert(tmp_path):
    path = tmp_path / "alerts" / "nurse_alerts.jsonl"
    channel = LocalFileChannel(path)
    asyncio.run(channel.deliver(ALERT))
    asyncio.run(channel.deliver(ALERT))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["callback_phone"] for line in lines] == ["312 555 0142"] * 2
    assert "Call: 312 555 0142" in lines[0]["text"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def slack(handler) -> SlackChannel:
    return SlackChannel(
        "https://slack.test/api/",
        "xoxb-test",
        "C0NURSES",
        transport=httpx.MockTransport(handler),
    )


def test_slack_gets_chat_post_message_with_the_token_and_channel():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True, "ts": "1.0"})

    asyncio.run(slack(handler).deliver(ALERT))
    (request,) = seen
    assert str(request.url) == "https://slack.test/api/chat.postMessage"
    assert request.headers["authorization"] == "Bearer xoxb-test"
    body = json.loads(request.content)
    assert body["channel"] == "C0NURSES"
    assert "Call: 312 555 0142" in body["text"]


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (
            httpx.Response(200, json={"ok": False, "error": "channel_not_found"}),
            "channel_not_found",
        ),
        (httpx.Response(429, headers={"Retry-After": "3"}), "429"),
        (httpx.Response(200, text="<html>"), "not JSON"),
    ],
)
def test_slack_refusal_is_a_failed_delivery(response, reason):
    with pytest.raises(DeliveryFailed, match=reason):
        asyncio.run(slack(lambda request: response).deliver(ALERT))


def test_slack_unreachable_is_a_failed_delivery():
    def handler(request):
        raise httpx.ConnectError("refused")

    with pytest.raises(DeliveryFailed, match="unreachable"):
        asyncio.run(slack(handler).deliver(ALERT))


def test_teams_gets_an_adaptive_card_and_a_dropped_message_is_a_failure():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(202)

    teams = TeamsChannel("https://teams.test/hook", transport=httpx.MockTransport(handler))
    asyncio.run(teams.deliver(ALERT))
    card = seen[0]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [block["text"] for block in card["content"]["body"]]
    assert "Call: 312 555 0142" in texts

    dropped = TeamsChannel(
        "https://teams.test/hook",
        transport=httpx.MockTransport(
            lambda r: httpx.Response(200, text="Webhook message delivery failed with error")
        ),
    )
    with pytest.raises(DeliveryFailed):
        asyncio.run(dropped.deliver(ALERT))


def test_settings_pick_the_channel_and_refuse_a_half_configured_one(tmp_path):
    base = {"_env_file": None, "nurse_alert_outbox": tmp_path / "o.db"}
    assert notifier_from_settings(ActionSettings(**base)).channel.name == "local_file"
    teams = ActionSettings(**base, nurse_alert_mode="teams", teams_nurse_webhook_url="https://t/h")
    assert notifier_from_settings(teams).channel.name == "teams"
    with pytest.raises(ValidationError, match="SLACK_BOT_TOKEN"):
        ActionSettings(**base, nurse_alert_mode="slack", slack_nurse_channel="C0NURSES")


def test_production_refuses_placeholder_secrets_and_the_demo_clinic_number():
    with pytest.raises(ValidationError, match="CLINIC_PHONE"):
        ActionSettings(_env_file=None, environment="production")
    with pytest.raises(ValidationError, match="placeholder"):
        ActionSettings(
            _env_file=None,
            environment="production",
            clinic_phone="312-555-0142",
            clinic_name="Lakeside Oncology",
            nurse_alert_mode="slack",
            slack_bot_token="xoxb-your-token-here",
            slack_nurse_channel="C0NURSES",
        )


class PostingChannel:
    """Takes every alert and says where it was posted, as Slack does (ts: when)."""

    name = "posting"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock

    async def deliver(self, alert: NurseAlert) -> PostedMessage:
        return PostedMessage("C0NURSES", f"{self.clock.now:.6f}")


def alert_of(sender: str, **fields) -> NurseAlert:
    return NurseAlert(
        reason="Asked to talk to a nurse.",
        callback_phone="312 555 0142",
        source="website",
        conversation=conversation_key(sender),
        **fields,
    )


def outbox_rows(path) -> dict[str, list]:
    with sqlite3.connect(path) as db:
        return {
            "alerts": db.execute("select id from alerts").fetchall(),
            "posted": db.execute("select id, alert from posted").fetchall(),
        }


def test_forget_deletes_waiting_alerts_and_the_content_of_posted_ones(tmp_path):
    clock = FakeClock()
    posting = notifier(tmp_path, PostingChannel(clock), clock)
    asyncio.run(posting.send(alert_of("web-1")))
    asyncio.run(posting.send(alert_of("web-2")))
    waiting = notifier(tmp_path, FlakyChannel(), clock)
    asyncio.run(waiting.send(alert_of("web-1")))

    assert waiting.forget(["web-1"]) == {"waiting": 1, "delivered": 1}
    rows = outbox_rows(tmp_path / "outbox.db")
    assert rows["alerts"] == []
    # Who clicked what may stay; the phone number of web-1 does not.
    kept = {alert for _, alert in rows["posted"] if alert}
    assert len(rows["posted"]) == 2 and len(kept) == 1
    assert conversation_key("web-2") in kept.pop()
    assert waiting.forget(["web-1"]) == {"waiting": 0, "delivered": 0}


def test_forget_deletes_the_alert_files_lines_of_that_conversation_only(tmp_path):
    path = tmp_path / "nurse_alerts.jsonl"
    sender = notifier(tmp_path, LocalFileChannel(path))
    for who in ("web-1", "web-2", "web-1"):
        asyncio.run(sender.send(alert_of(who)))
    assert sender.forget(["web-1"]) == {"waiting": 0, "delivered": 2}
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["conversation"] for line in lines] == [conversation_key("web-2")]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_delivered_alerts_are_purged_after_the_retention_days_and_not_before(tmp_path):
    clock = FakeClock()
    clock.now = 1_700_000_000.0
    path = tmp_path / "nurse_alerts.jsonl"
    week = 7 * 86_400
    old = alert_of("web-1", created_at="2023-11-01T00:00:00+00:00")  # before clock.now - week
    new = alert_of("web-2", created_at="2023-11-14T20:00:00+00:00")  # within the week
    file_notifier = NurseNotifier(
        Outbox(tmp_path / "outbox.db"), LocalFileChannel(path), clock=clock, retention_days=7
    )
    for alert in (old, new):
        asyncio.run(file_notifier.send(alert))
    posting = NurseNotifier(
        Outbox(tmp_path / "outbox.db"), PostingChannel(clock), clock=clock, retention_days=7
    )
    clock.now -= week + 60
    asyncio.run(posting.send(alert_of("web-3")))
    clock.now += week + 60
    asyncio.run(posting.send(alert_of("web-4")))

    assert file_notifier.purge_delivered() == 2  # one line, one posted alert
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["id"] for line in lines] == [new.id]
    posted = outbox_rows(tmp_path / "outbox.db")["posted"]
    assert [conversation_key("web-4") in alert for _, alert in posted] == [True]


def test_outbox_file_is_created_private_and_an_old_readable_one_is_made_private(tmp_path):
    path = tmp_path / "outbox.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    Outbox(path).add(ALERT, next_try=0)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
