"""The widget's files and config, the demo page, and the CORS allow-list for clinics on other
origins."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from settings.actions import ActionSettings
from settings.bot import Settings

CLINIC = "https://clinic.example"
# No phone number in the tag: the widget gives the one from settings, as the assistant does.
EMBED_TAG = (
    '<script src="/widget.js" data-title="Bone test guide" data-color="#00695c" defer></script>'
)
PREFLIGHT = {
    "Origin": CLINIC,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type",
}


@pytest.mark.parametrize("path", ["/", "/your-visit"])
def test_demo_pages_embed_the_widget_with_one_script_tag(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert EMBED_TAG in response.text
    assert "data-clinic-phone" not in response.text


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/widget.js", "text/javascript; charset=utf-8"), ("/widget.css", "text/css; charset=utf-8")],
)
def test_widget_files_are_served_with_their_type_and_a_short_cache(client, path, content_type):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["cache-control"] == "public, max-age=300"


def test_preflight_from_an_allowed_origin_is_answered(make_client):
    response = make_client(cors_origins=CLINIC).options("/webhooks/rest/webhook", headers=PREFLIGHT)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == CLINIC
    assert "POST" in response.headers["access-control-allow-methods"]


def test_chat_reply_to_an_allowed_origin_lets_the_widget_read_retry_after_and_its_token(
    make_client,
):
    response = make_client(cors_origins=CLINIC).post(
        "/webhooks/rest/webhook", json={"sender": "p1", "message": "hi"}, headers={"Origin": CLINIC}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == CLINIC
    exposed = response.headers["access-control-expose-headers"].split(",")
    assert {name.strip() for name in exposed} == {"Retry-After", "X-Conversation-Token"}


def test_preflight_allows_the_widgets_message_key_and_conversation_token(make_client):
    headers = {
        **PREFLIGHT,
        "Access-Control-Request-Headers": "idempotency-key, x-conversation-token",
    }
    response = make_client(cors_origins=CLINIC).options("/webhooks/rest/webhook", headers=headers)
    assert response.status_code == 200
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "idempotency-key" in allowed and "x-conversation-token" in allowed


def test_preflight_allows_the_end_chat_delete_with_its_token(make_client):
    headers = {
        "Origin": CLINIC,
        "Access-Control-Request-Method": "DELETE",
        "Access-Control-Request-Headers": "x-conversation-token",
    }
    response = make_client(cors_origins=CLINIC).options("/conversations/web-1", headers=headers)
    assert response.status_code == 200
    assert "DELETE" in response.headers["access-control-allow-methods"]


def test_widget_config_gives_the_clinic_and_emergency_numbers_from_settings(make_client):
    client = make_client(
        clinic_name="Riverbend Cancer Center",
        clinic_phone="312-555-0142",
        emergency_number="112",
        crisis_line="116 123",
    )
    response = client.get("/widget/config")
    assert response.status_code == 200
    assert response.json() == {
        "clinic_name": "Riverbend Cancer Center",
        "clinic_phone": "312-555-0142",
        "emergency_number": "112",
        "crisis_line": "116 123",
    }
    assert response.headers["cache-control"] == "public, max-age=300"


def test_widget_config_uses_the_same_defaults_as_the_action_server(client):
    actions = ActionSettings(_env_file=None)
    assert client.get("/widget/config").json() == {
        "clinic_name": actions.clinic_name,
        "clinic_phone": actions.clinic_phone,
        "emergency_number": actions.emergency_number,
        "crisis_line": actions.crisis_line,
    }


def test_widget_config_is_readable_by_an_allowed_origin_only(make_client):
    client = make_client(cors_origins=CLINIC)
    allowed = client.get("/widget/config", headers={"Origin": CLINIC})
    assert allowed.headers["access-control-allow-origin"] == CLINIC
    other = client.get("/widget/config", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers


def test_body_limit_errors_reach_an_allowed_origin_too(make_client):
    response = make_client(cors_origins=CLINIC, max_body_bytes=100).post(
        "/webhooks/rest/webhook",
        json={"sender": "p1", "message": "x" * 200},
        headers={"Origin": CLINIC},
    )
    assert response.status_code == 413
    assert response.headers["access-control-allow-origin"] == CLINIC


def test_origin_missing_from_the_allow_list_gets_no_cors_headers(make_client):
    client = make_client(cors_origins=CLINIC)
    other = {**PREFLIGHT, "Origin": "https://elsewhere.example"}
    preflight = client.options("/webhooks/rest/webhook", headers=other)
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    post = client.post(
        "/webhooks/rest/webhook",
        json={"sender": "p1", "message": "hi"},
        headers={"Origin": "https://elsewhere.example"},
    )
    assert "access-control-allow-origin" not in post.headers


def test_cors_origins_setting_is_split_on_commas():
    settings = Settings(_env_file=None, cors_origins=" https://a.example, http://b.example:8080 ")
    assert settings.cors_origin_list == ["https://a.example", "http://b.example:8080"]
    assert Settings(_env_file=None).cors_origin_list == []


@pytest.mark.parametrize(
    "origin", ["https://clinic.example/", "clinic.example", "https://c.example/chat"]
)
def test_cors_origins_setting_refuses_what_is_not_an_origin(origin):
    with pytest.raises(ValidationError, match="not an origin"):
        Settings(_env_file=None, cors_origins=origin)
