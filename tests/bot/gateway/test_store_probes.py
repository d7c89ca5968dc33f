"""The gateway's checks of Redis and PostgreSQL: which are checked, how fast a dead one shows."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from bot.gateway.rasa_client import PartStatus
from bot.gateway.store_probes import FRESH_SECONDS, STALE_SECONDS, StoreProbes
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


class CountedChecks:
    """Postgres checks that say `ok` and count themselves, on a clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0
        self.checks: list[float] = []
        self.probes = StoreProbes(
            postgres_url="postgresql://rasa@127.0.0.1/rasa", clock=lambda: self.now
        )
        self.probes._connect_postgres = self._connect

    def _connect(self) -> PartStatus:
        self.checks.append(self.now)
        return PartStatus(True, "ok")


def test_messages_go_by_a_recent_check_and_refresh_it_in_the_background_once_a_second_old():
    counted = CountedChecks()

    async def messages() -> None:
        await counted.probes.recent_statuses()  # nothing known yet: waits for a check
        counted.now += FRESH_SECONDS / 2
        await counted.probes.recent_statuses()
        counted.now += FRESH_SECONDS
        for _ in range(3):  # one check in the background for all three
            assert await counted.probes.recent_statuses() == {"postgres": PartStatus(True, "ok")}
        await asyncio.sleep(0.1)

    asyncio.run(messages())
    assert counted.checks == [0.0, 1.5 * FRESH_SECONDS]


def test_after_a_quiet_spell_a_message_waits_for_a_new_check():
    counted = CountedChecks()

    async def messages() -> None:
        await counted.probes.recent_statuses()
        counted.now += STALE_SECONDS
        counted.probes._connect_postgres = lambda: PartStatus(False, "down")
        assert await counted.probes.recent_statuses() == {"postgres": PartStatus(False, "down")}

    asyncio.run(messages())
