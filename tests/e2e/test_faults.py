"""A dead or stuck part behind the gateway: a warning sign still gets the emergency reply in
time, any other message a short answer with the clinic's phone, never nothing; /healthz names
the part. Real processes: the action server and Rasa are stopped, paused and killed.

These break their own stack (tests/e2e/parts.py), not the shared one, in file order. Its time
limits are short so the tests stay quick; the defaults (5 s and 10 s) behave the same, slower.
"""

from __future__ import annotations

import signal
import uuid
from collections.abc import Iterator

import httpx
import pytest

from bot.supervisor.stack import texts
from tests.e2e.parts import Parts

pytestmark = pytest.mark.e2e

CLINIC_PHONE = "312-555-0177"
WARNING_SIGN = "my legs went numb this morning and I can't control my bladder"
QUESTION = "what is a bone scan?"
# Time to answer beyond the gateway's own limit: the request, the reply, a busy machine.
SLACK_SECONDS = 1.5
STOPS = {"stopped": signal.SIGTERM, "killed": signal.SIGKILL}


@pytest.fixture(scope="module")
def parts(tmp_path_factory) -> Iterator[Parts]:
    running = Parts(
        tmp_path_factory.mktemp("faults"),
        extra_env={
            "CLINIC_PHONE": CLINIC_PHONE,
            "RASA_TIMEOUT_SECONDS": "5",
            "RED_FLAG_TIMEOUT_SECONDS": "2",
        },
    )
    running.start()
    try:
        running.wait_until_healthy()
        yield running
    finally:
        running.stop_all()


def new_sender() -> str:
    return f"fault-{uuid.uuid4().hex[:12]}"


def gateway_reply(response: httpx.Response) -> str | None:
    return next((r["custom"]["gateway_reply"] for r in response.json() if "custom" in r), None)


def assert_emergency_reply_in_time(parts: Parts) -> None:
    response, seconds = parts.say(new_sender(), WARNING_SIGN)
    assert response.status_code == 200
    assert gateway_reply(response) == "red_flag"
    said = texts(response.json())
    assert f"call your care team now at {CLINIC_PHONE}" in said
    assert "911" in said and "988" in said
    assert seconds < parts.settings.red_flag_timeout_seconds + SLACK_SECONDS


def assert_short_reply_with_the_phone(parts: Parts) -> None:
    response, seconds = parts.say(new_sender(), QUESTION)
    assert response.status_code == 200
    assert gateway_reply(response) == "unavailable"
    assert CLINIC_PHONE in texts(response.json())
    assert seconds < parts.settings.rasa_timeout_seconds + SLACK_SECONDS


def assert_health_names(parts: Parts, part: str) -> None:
    health = parts.health()
    assert health.status_code == 503
    assert health.json()[part] != "ok"


def test_every_part_answers_before_anything_breaks(parts):
    response, _ = parts.say(new_sender(), WARNING_SIGN)
    assert gateway_reply(response) is None  # the assistant's own red-flag reply
    assert "911" in texts(response.json())


def test_action_server_paused_a_warning_sign_gets_the_emergency_reply_in_time(parts):
    parts.send_signal("actions", signal.SIGSTOP)
    try:
        assert_emergency_reply_in_time(parts)
        assert_short_reply_with_the_phone(parts)
        assert_health_names(parts, "actions")
    finally:
        parts.send_signal("actions", signal.SIGCONT)
    parts.wait_until_healthy()


@pytest.mark.parametrize("how", list(STOPS))
def test_action_server_gone_a_warning_sign_gets_the_emergency_reply(parts, how):
    parts.stop("actions", STOPS[how])
    try:
        assert_emergency_reply_in_time(parts)
        assert_short_reply_with_the_phone(parts)
        assert_health_names(parts, "actions")
    finally:
        parts.start("actions")
    parts.wait_until_healthy()


def test_rasa_paused_a_warning_sign_gets_the_emergency_reply_in_time(parts):
    parts.send_signal("rasa", signal.SIGSTOP)
    try:
        assert_emergency_reply_in_time(parts)
        assert_short_reply_with_the_phone(parts)
        assert_health_names(parts, "rasa")
    finally:
        parts.send_signal("rasa", signal.SIGCONT)
    parts.wait_until_healthy()


def test_rasa_killed_a_warning_sign_gets_the_emergency_reply(parts):
    # Last: Rasa takes over a minute to load its model again, so it stays down. Stopped
    # (SIGTERM) is the same to the gateway once Rasa has exited: the connection is refused.
    parts.stop("rasa", signal.SIGKILL)
    assert_emergency_reply_in_time(parts)
    assert_short_reply_with_the_phone(parts)
    assert_health_names(parts, "rasa")
