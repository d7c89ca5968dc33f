"""The gateway's checks of Redis and PostgreSQL: which are checked, how fast a dead one shows."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from bot.gateway.rasa_client import PartStatus
from bot.gateway.store_probes import POSTGRES_RESULT_SECONDS, StoreProbes
from settings.bot import Settings, postgres_dsn


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("url", "dsn"),
    [
        ("postgresql://u:p@db:5432/rasa", "postgresql://u:p@db:5432/rasa"),
        (
            "postgresql+psycopg2://u:p@db/rasa?sslmode=require",
            "postgresql://u:p@db/rasa?sslmode=require",
        ),
        ("postgres://u@db/rasa", "postgresql://u@db/rasa"),
        ("sqlite:///var/tracker.db", None),
    ],
)
def test_postgres_dsn_is_libpq_url_or_none(url, dsn):
    assert postgres_dsn(url) == dsn


def test_no_probes_for_the_default_sqlite_setup():
    assert StoreProbes.from_settings(Settings(_env_file=None)) is None


def test_probes_check_redis_and_postgres_when_both_are_set(closed_port):
    settings = Settings(
        _env_file=None,
        redis_url=f"redis://127.0.0.1:{closed_port}/0",
        tracker_store_url=f"postgresql://rasa:pw@127.0.0.1:{closed_port}/rasa",
    )
    probes = StoreProbes.from_settings(settings)
    began = time.monotonic()
    statuses = asyncio.run(probes.statuses())
    assert statuses == {"redis": PartStatus(False, "down"), "postgres": PartStatus(False, "down")}
    assert time.monotonic() - began < 2.0


def test_postgres_result_is_reused_for_a_second_then_checked_again():
    now = [0.0]
    probes = StoreProbes(postgres_url="postgresql://rasa@127.0.0.1/rasa", clock=lambda: now[0])
    connections = []
    probes._connect_postgres = lambda: connections.append(now[0]) or PartStatus(True, "ok")

    async def check_three_times() -> None:
        await probes.statuses()
        now[0] += POSTGRES_RESULT_SECONDS / 2
        await probes.statuses()
        now[0] += POSTGRES_RESULT_SECONDS
        await probes.statuses()

    asyncio.run(check_three_times())
    assert connections == [0.0, 1.5 * POSTGRES_RESULT_SECONDS]
