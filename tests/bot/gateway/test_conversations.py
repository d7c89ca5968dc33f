""" "Forget me" at the gateway: in the chat after confirmation, and DELETE /conversations/{id}.

The tracker store is a real SQLite file with the table Rasa's SQLTrackerStore writes; the test
inspects it directly.
"""

from __future__ import annotations

import json
import sqlite3

import httpx
import pytest

REST_PATH = "/webhooks/rest/webhook"


@pytest.fixture
def store_url(tmp_path) -> str:
    path = tmp_path / "tracker.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "create table events (id integer primary key, sender_id varchar(255) not null, "
            "type_name varchar(255) not null, timestamp float, intent_name varchar(255), "
            "action_name varchar(255), data text)"
        )
        rows = [("p1", "user")] * 5 + [("p1", "bot")] * 4 + [("someone-else", "user")] * 3
        db.executemany("insert into events (sender_id, type_name) values (?, ?)", rows)
    return f"sqlite:///{path}"


def events_of(store_url: str, sender: str) -> int:
    with sqlite3.connect(store_url.removeprefix("sqlite:///")) as db:
        return db.execute("select count(*) from events where sender_id = ?", (sender,)).fetchone()[
            0
        ]


def rasa_replying(fake_rasa, monkeypatch, replies: list[dict]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            fake_rasa.received.append(json.loads(request.content))
            return httpx.Response(200, json=replies)
        return httpx.Response(200, json={"model_file": "bonemets.tar.gz", "status": "ok"})

    monkeypatch.setattr(fake_rasa, "handler", handler)


def test_confirmed_forget_me_deletes_the_conversation_and_says_what_was_deleted(
    make_client, fake_rasa, monkeypatch, store_url
):
    rasa_replying(
        fake_rasa, monkeypatch, [{"recipient_id": "p1", "custom": {"forget_conversation": True}}]
    )
    client = make_client(tracker_store_url=store_url)
    response = client.post(REST_PATH, json={"sender": "p1", "message": "yes"})
    assert response.status_code == 200
    deleted, said = response.json()
    assert deleted == {"recipient_id": "p1", "custom": {"conversation_deleted": {"events": 9}}}
    assert "deleted this conversation: 9 saved items" in said["text"]
    assert events_of(store_url, "p1") == 0
    assert events_of(store_url, "someone-else") == 3


def test_replies_without_a_forget_request_pass_unchanged(
    make_client, fake_rasa, monkeypatch, store_url
):
    replies = [{"recipient_id": "p1", "text": "Hi"}, {"recipient_id": "p1", "custom": {"x": 1}}]
    rasa_replying(fake_rasa, monkeypatch, replies)
    response = make_client(tracker_store_url=store_url).post(
        REST_PATH, json={"sender": "p1", "message": "hi"}
    )
    assert response.json() == replies
    assert events_of(store_url, "p1") == 9


def test_forget_me_when_the_store_is_down_says_so_and_claims_nothing(
    make_client, fake_rasa, monkeypatch, tmp_path
):
    rasa_replying(
        fake_rasa, monkeypatch, [{"recipient_id": "p1", "custom": {"forget_conversation": True}}]
    )
    unreachable = f"sqlite:///{tmp_path / 'no-such-dir' / 'tracker.db'}"
    response = make_client(tracker_store_url=unreachable).post(
        REST_PATH, json={"sender": "p1", "message": "yes"}
    )
    (reply,) = response.json()
    assert "could not delete" in reply["text"]


def test_delete_route_deletes_one_conversation_and_counts_its_events(make_client, store_url):
    client = make_client(tracker_store_url=store_url)
    response = client.delete("/conversations/p1")
    assert response.status_code == 200
    assert response.json() == {"sender_id": "p1", "deleted_events": 9}
    assert events_of(store_url, "p1") == 0
    assert events_of(store_url, "someone-else") == 3
    assert client.delete("/conversations/p1").json()["deleted_events"] == 0


def test_delete_route_rejects_a_bad_sender_id_with_a_json_error(make_client, store_url):
    response = make_client(tracker_store_url=store_url).delete("/conversations/bad%20id!")
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert events_of(store_url, "p1") == 9


def test_delete_route_is_rate_limited_per_sender(make_client, store_url):
    client = make_client(tracker_store_url=store_url, rate_limit_per_minute=1)
    assert client.delete("/conversations/p1").status_code == 200
    limited = client.delete("/conversations/p1")
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"


def test_delete_route_says_when_the_store_is_down(make_client, tmp_path):
    unreachable = f"sqlite:///{tmp_path / 'no-such-dir' / 'tracker.db'}"
    response = make_client(tracker_store_url=unreachable).delete("/conversations/p1")
    assert response.status_code == 503
    assert response.json()["error"] == "store_unavailable"


def test_store_without_any_conversation_yet_deletes_nothing(make_client, tmp_path):
    empty = f"sqlite:///{tmp_path / 'fresh.db'}"
    response = make_client(tracker_store_url=empty).delete("/conversations/p1")
    assert response.json() == {"sender_id": "p1", "deleted_events": 0}
