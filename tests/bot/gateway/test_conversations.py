""" "Forget me" at the gateway: in the chat after confirmation, and DELETE /conversations/{id}.

The tracker store is a real SQLite file with the table Rasa's SQLTrackerStore writes; the fake
Rasa saves each message in it and deletes as Rasa's forget route does. The test inspects it
directly.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest

from bot.gateway.conversations import ConversationStore
from bot.gateway.tokens import TOKEN_HEADER
from tests.bot.gateway.conftest import make_tracker_db, send

FORGET = [{"recipient_id": "web-1", "custom": {"forget_conversation": True}}]


@pytest.fixture
def store(tmp_path, fake_rasa):
    fake_rasa.tracker_db = make_tracker_db(tmp_path / "tracker.db")
    return fake_rasa.tracker_db


@pytest.fixture
def client(make_client, store):
    return make_client(tracker_store_url=f"sqlite:///{store}")


def events_of(store, sender: str) -> int:
    with sqlite3.connect(store) as db:
        query = "select count(*) from events where sender_id = ?"
        return db.execute(query, (sender,)).fetchone()[0]


def tokens_of(store, sender: str) -> int:
    with sqlite3.connect(store) as db:
        query = "select count(*) from conversation_tokens where sender_id = ?"
        return db.execute(query, (sender,)).fetchone()[0]


def test_confirmed_forget_me_deletes_the_conversation_and_says_what_in_words(
    client, fake_rasa, store
):
    send(client, "web-1", "what is a bone scan")
    send(client, "someone-else", "hi")
    fake_rasa.reply = FORGET
    response = send(client, "web-1", "yes")
    assert response.status_code == 200
    deleted, said = response.json()
    what = ["your messages, my answers and what I remembered"]
    assert deleted == {"recipient_id": "web-1", "custom": {"conversation_deleted": {"what": what}}}
    assert said["text"] == (
        "Done. I deleted your messages, my answers and what I remembered. If you write again, "
        "I will start fresh."
    )
    assert events_of(store, "web-1") == tokens_of(store, "web-1") == 0
    assert events_of(store, "someone-else") == 2
    assert fake_rasa.alerts_forgotten == [["web-1"]]


def test_forget_me_names_a_call_back_request_that_had_not_reached_a_nurse(client, fake_rasa):
    send(client, "web-1", "hi")
    fake_rasa.reply = FORGET
    fake_rasa.alerts = {"waiting": 1, "delivered": 0}
    (deleted, said) = send(client, "web-1", "yes").json()
    assert "your call-back request and the phone number you gave" in said["text"]
    assert "no one will call. Call 555-0100" in said["text"]
    assert len(deleted["custom"]["conversation_deleted"]["what"]) == 2


def test_after_forget_me_the_old_token_is_refused_and_a_new_conversation_may_start(
    client, fake_rasa
):
    send(client, "web-1", "hi")
    old_token = client.app.state.test_tokens["web-1"]
    fake_rasa.reply = FORGET
    send(client, "web-1", "yes")
    fake_rasa.reply = [{"recipient_id": "web-1", "text": "Hi"}]
    assert send(client, "web-1", "hi").status_code == 401
    client.app.state.test_tokens.clear()
    fresh = send(client, "web-1", "hi")
    assert fresh.status_code == 200
    assert fresh.headers[TOKEN_HEADER] != old_token


def test_replies_without_a_forget_request_pass_unchanged(client, fake_rasa, store):
    replies = [{"recipient_id": "p1", "text": "Hi"}, {"recipient_id": "p1", "custom": {"x": 1}}]
    fake_rasa.reply = replies
    assert send(client, "p1", "hi").json() == replies
    assert events_of(store, "p1") == 2


def test_forget_me_when_the_action_server_is_down_says_so_and_finishes_later(
    client, fake_rasa, store
):
    send(client, "web-1", "hi")
    fake_rasa.reply = FORGET
    fake_rasa.actions_up = False
    (reply,) = send(client, "web-1", "yes").json()
    assert "could not delete all of our conversation" in reply["text"]
    # Already no message is let in; the retention job finishes the deletion.
    assert send(client, "web-1", "hello").status_code == 401
    assert tokens_of(store, "web-1") == 1


def test_delete_route_needs_the_token_and_deletes_everything(client, fake_rasa, store):
    send(client, "web-1", "what is a PET scan")
    token = client.app.state.test_tokens["web-1"]
    assert client.delete("/conversations/web-1").status_code == 401
    wrong = client.delete("/conversations/web-1", headers={TOKEN_HEADER: "x" + token[1:]})
    assert wrong.status_code == 401
    assert events_of(store, "web-1") == 2
    response = client.delete("/conversations/web-1", headers={TOKEN_HEADER: token})
    assert response.status_code == 200
    assert response.json() == {
        "sender_id": "web-1",
        "deleted": ["your messages, my answers and what I remembered"],
    }
    assert events_of(store, "web-1") == tokens_of(store, "web-1") == 0
    again = client.delete("/conversations/web-1", headers={TOKEN_HEADER: token})
    assert again.status_code == 401


def test_refusals_say_nothing_about_whether_a_conversation_exists(client):
    send(client, "web-1", "hi")
    refusals = [
        client.delete("/conversations/web-1"),
        client.delete("/conversations/never-was"),
        client.delete("/conversations/never-was", headers={TOKEN_HEADER: "guess"}),
        client.post(
            "/webhooks/rest/webhook",
            json={"sender": "web-1", "message": "hi"},
            headers={TOKEN_HEADER: "guess"},
        ),
        client.post("/webhooks/rest/webhook", json={"sender": "web-1", "message": "hi"}),
        client.post(
            "/webhooks/rest/webhook",
            json={"sender": "never-was", "message": "hi"},
            headers={TOKEN_HEADER: "guess"},
        ),
    ]
    assert {r.status_code for r in refusals} == {401}
    assert len({r.content for r in refusals}) == 1
    assert refusals[0].json()["error"] == "unauthorized"


def test_a_conversation_from_before_tokens_cannot_be_claimed(client, store):
    with sqlite3.connect(store) as db:
        db.execute(
            "insert into events (sender_id, type_name, timestamp) values ('old-1', 'user', 1)"
        )
    assert send(client, "old-1", "hi").status_code == 401


def test_delete_route_rejects_a_bad_sender_id_with_a_json_error(client):
    for bad in ("bad%20id!", "demo-1%0A", "U0123ABCD_C0456EFGH"):
        response = client.delete(f"/conversations/{bad}")
        assert response.status_code == 422
        assert response.json()["error"] == "invalid_request"


def test_delete_route_is_rate_limited_per_sender(make_client, store):
    client = make_client(tracker_store_url=f"sqlite:///{store}", rate_limit_per_minute=1)
    assert client.delete("/conversations/p1").status_code == 401
    limited = client.delete("/conversations/p1")
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"


def test_delete_route_says_when_the_store_is_down(make_client, tmp_path):
    unreachable = f"sqlite:///{tmp_path / 'no-such-dir' / 'x' / 'tracker.db'}"
    (tmp_path / "no-such-dir").write_text("a file where a folder should be")
    response = make_client(tracker_store_url=unreachable).delete("/conversations/p1")
    assert response.status_code == 503
    assert response.json()["error"] == "store_unavailable"


async def test_reads_of_a_sqlite_store_stay_on_the_event_loop_and_others_go_to_a_thread(tmp_path):
    # A SQLite read costs less than the hand-off to a thread (bot/gateway/conversations.py);
    # a PostgreSQL one waits for the network, which must not hold up the event loop.
    here = threading.get_ident()
    sqlite = ConversationStore(f"sqlite:///{tmp_path / 'tracker.db'}")
    postgres = ConversationStore("postgresql://bot@127.0.0.1:5432/bot")
    assert await sqlite.read(threading.get_ident) == here
    assert await postgres.read(threading.get_ident) != here
