"""The Slack and Teams webhooks on the gateway: checked, acknowledged at once, relayed once."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from tests.bot.channels.conftest import SLACK_SECRET
from tests.bot.channels.standins import BotFramework, SigningKeyPair, slack_headers

SLACK = "/webhooks/slack/webhook"
TEAMS = "/webhooks/botframework/webhook"


def slack_event(event_id: str = "Ev001", text: str = "<@UBOT> what is a bone scan") -> bytes:
    return json.dumps(
        {
            "type": "event_callback",
            "event_id": event_id,
            "authorizations": [{"user_id": "UBOT"}],
            "event": {
                "type": "app_mention",
                "user": "UNURSE",
                "text": text,
                "channel": "C123",
                "ts": "1700000000.000100",
            },
        }
    ).encode()


def relayed(rasa_connectors, count: int = 1, timeout: float = 3.0) -> list:
    deadline = time.monotonic() + timeout
    while len(rasa_connectors.received) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return rasa_connectors.received


def test_signed_slack_event_is_acknowledged_and_relayed_to_rasa_as_it_came(
    make_gateway, rasa_connectors
):
    body = slack_event()
    headers = slack_headers(SLACK_SECRET, body)
    response = make_gateway().post(SLACK, content=body, headers=headers)
    assert response.status_code == 200
    [request] = relayed(rasa_connectors)
    assert request.url.path == SLACK
    assert request.content == body
    assert request.headers["x-slack-signature"] == headers["X-Slack-Signature"]


def test_wrong_slack_signature_gets_401_and_never_reaches_rasa(make_gateway, rasa_connectors):
    body = slack_event()
    headers = slack_headers("another-apps-signing-secret", body)
    response = make_gateway().post(SLACK, content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_slack_signature"
    assert relayed(rasa_connectors, timeout=0.5) == []


def test_slack_body_changed_after_signing_gets_401(make_gateway, rasa_connectors):
    headers = slack_headers(SLACK_SECRET, slack_event(text="what is a bone scan"))
    tampered = slack_event(text="what is an MRI")
    assert make_gateway().post(SLACK, content=tampered, headers=headers).status_code == 401
    assert relayed(rasa_connectors, timeout=0.5) == []


@pytest.mark.parametrize("age_seconds", [6 * 60, -6 * 60], ids=["replayed", "from-the-future"])
def test_slack_request_signed_more_than_five_minutes_away_gets_401(
    make_gateway, rasa_connectors, age_seconds
):
    body = slack_event()
    headers = slack_headers(SLACK_SECRET, body, timestamp=int(time.time()) - age_seconds)
    response = make_gateway().post(SLACK, content=body, headers=headers)
    assert response.status_code == 401
    assert "5 minutes" in response.json()["detail"]
    assert relayed(rasa_connectors, timeout=0.5) == []


def test_slack_retry_of_a_delivered_event_is_acknowledged_but_not_relayed_again(
    make_gateway, rasa_connectors
):
    gateway = make_gateway()
    body = slack_event("EvRetry")
    assert gateway.post(SLACK, content=body, headers=slack_headers(SLACK_SECRET, body)).is_success
    retry_headers = {
        **slack_headers(SLACK_SECRET, body),
        "X-Slack-Retry-Num": "1",
        "X-Slack-Retry-Reason": "http_timeout",
    }
    retry = gateway.post(SLACK, content=body, headers=retry_headers)
    assert retry.status_code == 200
    assert retry.headers["x-slack-no-retry"] == "1"
    assert len(relayed(rasa_connectors, count=2, timeout=1.0)) == 1


def test_slack_retry_of_an_event_that_never_arrived_is_relayed_without_retry_headers(
    make_gateway, rasa_connectors
):
    body = slack_event("EvLost")
    headers = {**slack_headers(SLACK_SECRET, body), "X-Slack-Retry-Num": "1"}
    assert make_gateway().post(SLACK, content=body, headers=headers).status_code == 200
    [request] = relayed(rasa_connectors)
    # Rasa's own SlackInput drops retries; the gateway has already decided this one is new.
    assert "x-slack-retry-num" not in request.headers


def test_slack_is_acknowledged_within_3_seconds_when_the_assistant_is_slow(
    make_gateway, rasa_connectors
):
    rasa_connectors.delay_seconds = 4.0
    gateway = make_gateway()
    body = slack_event("EvSlow")
    began = time.monotonic()
    response = gateway.post(SLACK, content=body, headers=slack_headers(SLACK_SECRET, body))
    assert response.status_code == 200
    assert time.monotonic() - began < 3.0
    assert len(relayed(rasa_connectors, timeout=6.0)) == 1


def test_slack_url_verification_gets_the_challenge_back(make_gateway, rasa_connectors):
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV"}).encode()
    response = make_gateway().post(SLACK, content=body, headers=slack_headers(SLACK_SECRET, body))
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV"}
    assert relayed(rasa_connectors, timeout=0.5) == []


def test_slack_button_click_is_relayed_as_the_signed_form(make_gateway, rasa_connectors):
    payload = {"type": "block_actions", "user": {"id": "UNURSE"}, "actions": []}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = {
        **slack_headers(SLACK_SECRET, body),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    assert make_gateway().post(SLACK, content=body, headers=headers).status_code == 200
    [request] = relayed(rasa_connectors)
    assert request.content == body
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"


def test_slack_slash_command_is_relayed_to_the_connectors_command_route(
    make_gateway, rasa_connectors
):
    # The fields Slack sends for a slash command (docs.slack.dev, "Implementing slash commands").
    form = {
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "team_id": "T0001",
        "team_domain": "example",
        "channel_id": "C2147483705",
        "channel_name": "test",
        "user_id": "U2147483697",
        "user_name": "Steve",
        "command": "/bonemets",
        "text": "handout bone scan",
        "api_app_id": "A123456",
        "response_url": "https://hooks.slack.com/commands/1234/5678",
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }
    body = urlencode(form).encode()
    headers = slack_headers(SLACK_SECRET, body, content_type="application/x-www-form-urlencoded")
    assert make_gateway().post(SLACK, content=body, headers=headers).status_code == 200
    [request] = relayed(rasa_connectors)
    assert request.url.path == "/webhooks/slack/command"
    assert request.content == body
    assert request.headers["x-slack-signature"] == headers["X-Slack-Signature"]


def test_signed_slack_body_that_is_not_an_event_gets_400(make_gateway, rasa_connectors):
    body = b"not json"
    response = make_gateway().post(SLACK, content=body, headers=slack_headers(SLACK_SECRET, body))
    assert response.status_code == 400
    assert relayed(rasa_connectors, timeout=0.5) == []


def test_chat_apps_answer_503_when_not_configured(make_gateway, rasa_connectors, bot_framework):
    gateway = make_gateway(slack=False, teams=False)
    body = slack_event()
    slack = gateway.post(SLACK, content=body, headers=slack_headers(SLACK_SECRET, body))
    teams = gateway.post(
        TEAMS,
        json=bot_framework.activity("hi"),
        headers={"Authorization": f"Bearer {bot_framework.token()}"},
    )
    assert (slack.status_code, slack.json()["error"]) == (503, "slack_not_configured")
    assert (teams.status_code, teams.json()["error"]) == (503, "teams_not_configured")
    assert relayed(rasa_connectors, timeout=0.5) == []


def test_teams_activity_with_a_valid_token_is_accepted_and_relayed(
    make_gateway, rasa_connectors, bot_framework
):
    activity = bot_framework.activity("what is a bone scan")
    token = bot_framework.token()
    response = make_gateway().post(
        TEAMS, json=activity, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 202
    [request] = relayed(rasa_connectors)
    assert request.url.path == TEAMS
    assert json.loads(request.content) == activity
    assert request.headers["authorization"] == f"Bearer {token}"


BAD_TOKENS = {
    "wrong-audience": {"audience": "another-bots-app-id"},
    "expired": {"expires_in": -3600},
    "signed-by-another-key": {"key": SigningKeyPair.new()},
    "wrong-issuer": {"issuer": "https://login.example.org"},
    "another-service-url": {"service_url": "https://attacker.example.org/"},
}


@pytest.mark.parametrize("wrong", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_teams_activity_with_a_bad_token_gets_401_and_never_reaches_rasa(
    make_gateway, rasa_connectors, bot_framework, wrong
):
    token = bot_framework.token(**wrong)
    response = make_gateway().post(
        TEAMS,
        json=bot_framework.activity("what is a bone scan"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_teams_token"
    assert relayed(rasa_connectors, timeout=0.5) == []


@pytest.mark.parametrize("authorization", [None, "Basic dXNlcjpwYXNz", "Bearer not-a-jwt"])
def test_teams_activity_without_a_bearer_jwt_gets_401(
    make_gateway, rasa_connectors, bot_framework, authorization
):
    headers = {"Authorization": authorization} if authorization else {}
    response = make_gateway().post(TEAMS, json=bot_framework.activity("hi"), headers=headers)
    assert response.status_code == 401
    assert relayed(rasa_connectors, timeout=0.5) == []


def test_teams_answers_503_when_the_signing_keys_cannot_be_fetched(
    make_gateway, rasa_connectors, bot_framework
):
    gateway = make_gateway(teams_metadata_url="http://127.0.0.1:9/openid")
    response = gateway.post(
        TEAMS,
        json=bot_framework.activity("hi"),
        headers={"Authorization": f"Bearer {bot_framework.token()}"},
    )
    assert response.status_code == 503
    assert relayed(rasa_connectors, timeout=0.5) == []


def test_teams_answers_503_not_500_when_the_key_set_is_malformed(make_gateway, rasa_connectors):
    # Microsoft's side on a port of its own: the SDK caches keys per metadata URL.
    microsoft = BotFramework().start()
    microsoft.keys_document = {"keys": ["not a key", {"kid": 7}]}
    try:
        response = make_gateway(teams_metadata_url=microsoft.metadata_url).post(
            TEAMS,
            json=microsoft.activity("hi"),
            headers={"Authorization": f"Bearer {microsoft.token()}"},
        )
    finally:
        microsoft.stop()
    assert response.status_code == 503
    assert response.json()["error"] == "teams_keys_unavailable"
    assert relayed(rasa_connectors, timeout=0.5) == []
