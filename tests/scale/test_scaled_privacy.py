"""Privacy with several workers and gateways on real PostgreSQL and Redis: a deletion holds
the conversation's lock in Redis, whichever worker does it; limits, the resend of a first
reply and the retention job's turn are shared."""

from __future__ import annotations

import random
import threading
import time
import uuid

import httpx
import psycopg2
from starlette.requests import Request

from bot.gateway.conversations import ConversationStore
from bot.gateway.idempotency import IdempotentSends, StoredReply
from bot.gateway.limits import ClientAddresses, Limits
from bot.gateway.rasa_client import FORGET_PATH
from bot.gateway.retention import Schedule
from bot.gateway.tokens import TOKEN_HEADER
from bot.gateway.workers import WorkerPool
from bot.rasa_ext.lock_store import AtomicRedisLockStore
from bot.supervisor.stack import Stack
from tests.scale.conftest import RASA_TOKEN

LOCK_HELD_SECONDS = 2.0


def events(postgres_url: str, sender: str) -> int:
    with psycopg2.connect(postgres_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM events WHERE sender_id = %s", (sender,))
        (count,) = cursor.fetchone()
    connection.close()
    return count


def other_worker(stack: Stack, sender: str) -> str:
    workers = int(stack.extra_env["RASA_WORKERS"])
    urls = [f"http://127.0.0.1:{stack.rasa_port + n}" for n in range(workers)]
    return WorkerPool(urls).candidates(sender)[1]


def test_a_deletion_waits_while_another_worker_holds_the_conversations_lock(
    scaled_stack, datastores
):
    """A worker answering a message holds the conversation's lock in Redis; the other worker,
    asked to delete, waits for it, and deletes once it is released."""
    postgres, redis = datastores
    sender = f"scaled-forget-{uuid.uuid4().hex[:10]}"
    scaled_stack.say(sender, "what is a bone scan")
    # The lock store exactly as endpoints.scaled.yml gives it to the workers.
    locks = AtomicRedisLockStore(host="127.0.0.1", port=redis.port, db=0, key_prefix="bonemets")
    ticket = locks.issue_ticket(sender, lock_lifetime=30)
    outcome: list[httpx.Response] = []
    deleting = threading.Thread(
        target=lambda: outcome.append(
            httpx.post(
                f"{other_worker(scaled_stack, sender)}{FORGET_PATH}",
                params={"token": RASA_TOKEN},
                json={"sender_ids": [sender]},
                timeout=30,
            )
        )
    )
    deleting.start()
    time.sleep(LOCK_HELD_SECONDS)
    assert outcome == [] and events(postgres.url, sender) > 0
    locks.cleanup(sender, ticket)
    deleting.join(timeout=30)
    assert outcome[0].status_code == 200
    assert outcome[0].json() == {"deleted": 1}
    assert events(postgres.url, sender) == 0


def test_end_chat_on_the_scaled_stack_deletes_everything(scaled_stack, datastores):
    postgres, _ = datastores
    sender = f"scaled-end-{uuid.uuid4().hex[:10]}"
    scaled_stack.say(sender, "what is a bone scan")
    assert events(postgres.url, sender) > 0
    assert scaled_stack.forget(sender).status_code == 200
    assert events(postgres.url, sender) == 0


def from_address(address: str) -> Request:
    return Request({"type": "http", "client": (address, 5555), "headers": []})


async def test_the_limit_per_address_holds_across_two_gateway_processes(datastores):
    _, redis = datastores
    address = f"203.0.113.{random.randint(1, 254)}"
    gateways = [Limits(1000, 5, ClientAddresses(), redis.url) for _ in range(2)]
    outcomes = []
    try:
        for n in range(8):
            try:
                await gateways[n % 2].enforce(from_address(address), f"web-{n}", "messages")
                outcomes.append(200)
            except Exception as error:  # the ApiError a route turns into a 429
                outcomes.append(getattr(error, "status", error))
    finally:
        for gateway in gateways:
            await gateway.close()
    assert outcomes == [200] * 5 + [429] * 3


async def test_a_first_reply_resent_through_another_process_keeps_its_token(datastores):
    _, redis = datastores
    processes = [IdempotentSends(in_flight_seconds=5, redis_url=redis.url) for _ in range(2)]
    first_reply = StoredReply(200, [{"text": "Hi"}], {TOKEN_HEADER: "the-token"})

    async def answer() -> StoredReply:
        return first_reply

    sender = f"shared-{uuid.uuid4().hex[:8]}"
    try:
        await processes[0].run(sender, "k-1", answer)
        assert await processes[1].run(sender, "k-1", answer) == first_reply
    finally:
        for process in processes:
            await process.close()


def test_the_retention_job_runs_once_per_interval_among_processes_on_postgresql(datastores):
    postgres, _ = datastores
    schedules = [Schedule(ConversationStore(postgres.url), interval_seconds=3600) for _ in range(3)]
    name = f"retention-test-{uuid.uuid4().hex[:8]}"
    now = time.time()
    assert [s.claim(name, now) for s in schedules] == [True, False, False]
    assert [s.claim(name, now + 3600) for s in reversed(schedules)] == [True, False, False]
