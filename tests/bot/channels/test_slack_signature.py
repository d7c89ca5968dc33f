"""Slack's request signature and the memory of delivered events."""

from __future__ import annotations

import pytest

from bot.channels.slack.signature import (
    REMEMBER_SECONDS,
    DeliveredEvents,
    SlackRequestRefused,
    check_signature,
)
from tests.bot.channels.standins import slack_headers

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BODY = b'{"type":"event_callback","event_id":"Ev1"}'
NOW = 1_700_000_000


def signed(timestamp: int = NOW) -> tuple[str, str]:
    headers = slack_headers(SECRET, BODY, timestamp)
    return headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]


def test_signature_made_with_the_signing_secret_within_five_minutes_is_accepted():
    timestamp, signature = signed(NOW - 299)
    check_signature(SECRET, timestamp, signature, BODY, now=NOW)


@pytest.mark.parametrize(
    ("timestamp", "signature", "reason"),
    [
        (None, "v0=00", "malformed"),
        ("yesterday", "v0=00", "malformed"),
        (str(NOW), None, "does not match"),
        (str(NOW), "v0=" + "0" * 64, "does not match"),
        (str(NOW - 301), signed(NOW - 301)[1], "more than 5 minutes"),
    ],
    ids=["no-timestamp", "bad-timestamp", "no-signature", "wrong-signature", "too-old"],
)
def test_bad_or_stale_signature_is_refused_with_a_reason(timestamp, signature, reason):
    with pytest.raises(SlackRequestRefused, match=reason):
        check_signature(SECRET, timestamp, signature, BODY, now=NOW)


def test_an_event_id_is_a_first_delivery_only_once():
    deliveries = DeliveredEvents()
    assert deliveries.first_delivery("Ev1", now=0)
    assert not deliveries.first_delivery("Ev1", now=60)
    assert deliveries.first_delivery("Ev2", now=60)


def test_an_event_id_is_forgotten_after_an_hour():
    deliveries = DeliveredEvents()
    deliveries.first_delivery("Ev1", now=0)
    assert deliveries.first_delivery("Ev1", now=REMEMBER_SECONDS + 1)


def test_requests_without_an_event_id_always_pass():
    deliveries = DeliveredEvents()
    assert deliveries.first_delivery(None) and deliveries.first_delivery(None)
