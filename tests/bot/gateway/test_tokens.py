"""Conversation tokens in the shared database: issued once, stored hashed, checked."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from bot.gateway.conversations import ConversationStore
from bot.gateway.tokens import ConversationTokens, TokenRefused, digest
from tests.bot.gateway.conftest import make_tracker_db


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path):
    return ConversationStore(f"sqlite:///{make_tracker_db(tmp_path / 'tracker.db')}")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def tokens(store, clock):
    return ConversationTokens(store, first_reply_seconds=120, clock=clock)


def start(tokens: ConversationTokens, sender: str, key: str | None = "k-1") -> str:
    return tokens.issue(tokens.admit(sender, None, key))


def test_a_token_is_random_long_and_stored_only_as_its_hash(tokens, store, tmp_path):
    token = start(tokens, "web-1")
    assert len(token) >= 43 and token != start(tokens, "web-2")  # 256 bits, url-safe
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        (stored,) = db.execute(
            "select token_hash from conversation_tokens where sender_id = 'web-1'"
        )
    assert stored == (digest(token),)
    assert token not in (tmp_path / "tracker.db").read_bytes().decode(errors="replace")


def test_later_messages_need_the_token(tokens):
    token = start(tokens, "web-1")
    assert tokens.admit("web-1", token, "k-2").token == token
    for wrong in (None, "", token[:-1], token + "x", "guess"):
        with pytest.raises(TokenRefused):
            tokens.admit("web-1", wrong, "k-2")


def test_only_the_first_message_resent_soon_gets_in_without_the_token(tokens, clock):
    start(tokens, "web-1", key="k-1")
    resend = tokens.admit("web-1", None, "k-1")
    assert resend.starts_conversation
    again = tokens.issue(resend)  # its reply was not remembered: a new token replaces the lost one
    assert tokens.holds("web-1", again)
    with pytest.raises(TokenRefused):
        tokens.admit("web-1", None, "k-2")
    clock.now += 121
    with pytest.raises(TokenRefused):
        tokens.admit("web-1", None, "k-1")


def test_two_first_messages_at_once_give_the_conversation_to_one(tokens):
    first = tokens.admit("web-1", None, "k-a")
    second = tokens.admit("web-1", None, "k-b")
    tokens.issue(first)
    with pytest.raises(TokenRefused):
        tokens.issue(second)


def test_a_deletion_under_way_refuses_messages_but_not_the_deletion(tokens):
    token = start(tokens, "web-1")
    tokens.mark_forgotten(["web-1"])
    with pytest.raises(TokenRefused):
        tokens.admit("web-1", token, "k-2")
    assert not tokens.holds("web-1", token)
    tokens.admit_deletion("web-1", token)
    assert tokens.unfinished(10) == ["web-1"]
    tokens.remove(["web-1"])
    with pytest.raises(TokenRefused):
        tokens.admit_deletion("web-1", token)


def test_unused_tokens_are_those_old_enough_with_nothing_stored(tokens, clock, tmp_path):
    start(tokens, "web-old-empty")
    start(tokens, "web-old-talking")
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        db.execute(
            "insert into events (sender_id, type_name, timestamp) values (?, 'user', 1)",
            ("web-old-talking",),
        )
    clock.now += 100
    start(tokens, "web-new-empty")
    assert tokens.unused(before=1_050, limit=10) == ["web-old-empty"]


def test_a_new_sqlite_store_is_created_private(tmp_path):
    path = tmp_path / "var" / "tracker.db"
    tokens = ConversationTokens(ConversationStore(f"sqlite:///{path}"))
    start(tokens, "web-1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_token_this_process_issued_is_let_in_without_asking_the_store(tokens, store, tmp_path):
    token = start(tokens, "web-1")
    (tmp_path / "tracker.db").unlink()  # any query would now fail or find nothing
    store._engine.dispose()
    assert tokens.admitted_before("web-1", token, "k-2").token == token
    for wrong in (None, "", token[:-1], "guess"):
        assert tokens.admitted_before("web-1", wrong, "k-2") is None
    assert tokens.admitted_before("web-2", token, "k-2") is None


def test_forgetting_here_drops_the_remembered_token(tokens):
    token = start(tokens, "web-1")
    tokens.mark_forgotten(["web-1"])
    assert tokens.admitted_before("web-1", token, None) is None
    with pytest.raises(TokenRefused):
        tokens.admit("web-1", token, None)


def test_a_deletion_by_another_gateway_is_still_caught_after_the_reply(tokens, store, clock):
    token = start(tokens, "web-1")
    other_gateway = ConversationTokens(store, first_reply_seconds=120, clock=clock)
    other_gateway.mark_forgotten(["web-1"])
    # Let in from memory, but the check after Rasa's reply reads the store.
    assert tokens.admitted_before("web-1", token, None) is not None
    assert not tokens.holds("web-1", token)


def test_only_the_most_recent_conversations_are_remembered(tokens, monkeypatch):
    monkeypatch.setattr("bot.gateway.tokens.ADMITTED_KEPT", 2)
    first, second, third = (start(tokens, f"web-{i}") for i in range(3))
    assert tokens.admitted_before("web-0", first, None) is None
    assert tokens.admitted_before("web-1", second, None) is not None
    assert tokens.admitted_before("web-2", third, None) is not None


def test_the_shared_sqlite_file_commits_without_waiting_for_the_disk(store, tmp_path):
    # The gateway's commits hold the write lock Rasa's saves wait for (bot/sqlite_engine.py).
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
