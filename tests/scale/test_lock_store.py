"""The atomic Redis lock store against a real Redis: two workers taking a ticket for one
conversation at the same moment get different tickets (Rasa's own store gives both ticket 0)."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_ext.lock_store import AtomicRedisLockStore


@pytest.fixture
def redis_port(datastores) -> int:
    _, redis = datastores
    return urlsplit(redis.url).port


def interleaved_tickets(first: RedisLockStore, second: RedisLockStore, monkeypatch) -> list:
    """`second` takes a whole ticket while `first` is between reading and writing the lock."""
    conversation = f"race-{uuid.uuid4().hex[:8]}"
    original = TicketLock.issue_ticket
    tickets = []

    def issue_with_a_rival_in_between(lock: TicketLock, lifetime: float) -> int:
        if not tickets:
            tickets.append(None)  # only once: the rival's own call goes straight through
            tickets.append(second.issue_ticket(conversation))
        return original(lock, lifetime)

    monkeypatch.setattr(TicketLock, "issue_ticket", issue_with_a_rival_in_between)
    mine = first.issue_ticket(conversation)
    return sorted([tickets[1], mine])


def test_rasa_s_redis_lock_store_gives_both_workers_the_same_ticket(redis_port, monkeypatch):
    # Why bot/lock_store.py exists: if this starts passing, Rasa fixed it upstream.
    stores = [RedisLockStore(host="127.0.0.1", port=redis_port) for _ in range(2)]
    assert interleaved_tickets(*stores, monkeypatch) == [0, 0]


def test_the_atomic_store_gives_them_different_tickets(redis_port, monkeypatch):
    stores = [AtomicRedisLockStore(host="127.0.0.1", port=redis_port) for _ in range(2)]
    assert interleaved_tickets(*stores, monkeypatch) == [0, 1]


def test_it_is_built_from_the_endpoints_file_as_rasa_builds_it(redis_port):
    config = EndpointConfig(
        url="127.0.0.1",
        type="bot.rasa_ext.lock_store.AtomicRedisLockStore",
        port=str(redis_port),
        db="0",
        key_prefix="bonemets",
    )
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.key_prefix == "bonemets:lock:"


def test_cleanup_keeps_a_lock_someone_waits_on_and_deletes_an_idle_one(redis_port):
    store = AtomicRedisLockStore(host="127.0.0.1", port=redis_port)
    conversation = f"cleanup-{uuid.uuid4().hex[:8]}"
    first, second = store.issue_ticket(conversation), store.issue_ticket(conversation)
    store.cleanup(conversation, first)
    assert store.get_lock(conversation) is not None  # the second ticket still waits
    store.cleanup(conversation, second)
    assert store.get_lock(conversation) is None
