"""What `python -m bot.supervisor.run` starts for one Rasa worker and for several."""

from __future__ import annotations

import pytest

from bot.supervisor.run import (
    child_environment,
    commands,
    lock_store_environment,
    scaled_setup_problem,
)
from settings import PROJECT_DIR
from settings.bot import Settings

POSTGRES = "postgresql://rasa:pw@127.0.0.1:5433/rasa"
REDIS = "redis://:s%40cret@127.0.0.1:6380/2"


def started(settings: Settings) -> dict[str, list[str]]:
    return commands(settings, child_environment(settings))


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_one_worker_runs_as_before_with_the_plain_endpoints():
    rasa = started(Settings(_env_file=None, rasa_port=5105))
    assert sorted(rasa) == ["actions", "gateway", "rasa"]
    assert option(rasa["rasa"], "--endpoints") == "endpoints.yml"
    assert option(rasa["rasa"], "--port") == "5105"


def test_several_workers_run_on_consecutive_ports_with_the_shared_lock_store():
    settings = Settings(
        _env_file=None, rasa_port=5105, rasa_workers=3, tracker_store_url=POSTGRES, redis_url=REDIS
    )
    rasa = started(settings)
    workers = [rasa[name] for name in ("rasa-1", "rasa-2", "rasa-3")]
    assert [option(worker, "--port") for worker in workers] == ["5105", "5106", "5107"]
    assert {option(worker, "--endpoints") for worker in workers} == {"endpoints.scaled.yml"}
    assert "rasa" not in rasa


def test_redis_url_becomes_the_lock_store_parts():
    assert lock_store_environment(REDIS) == {
        "LOCK_STORE_HOST": "127.0.0.1",
        "LOCK_STORE_PORT": "6380",
        "LOCK_STORE_DB": "2",
        "LOCK_STORE_PASSWORD": "s@cret",
    }


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"rasa_workers": 2, "tracker_store_url": POSTGRES}, "REDIS_URL"),
        ({"rasa_workers": 2, "redis_url": REDIS}, "PostgreSQL"),
    ],
)
def test_several_workers_without_shared_stores_are_refused(overrides, problem):
    assert problem in scaled_setup_problem(Settings(_env_file=None, **overrides))


@pytest.mark.parametrize(
    "overrides",
    [{}, {"rasa_workers": 2, "tracker_store_url": POSTGRES, "redis_url": REDIS}],
)
def test_one_worker_or_shared_stores_are_accepted(overrides):
    assert scaled_setup_problem(Settings(_env_file=None, **overrides)) is None


def test_scaled_endpoints_give_rasa_a_redis_lock_store_from_redis_url(monkeypatch):
    # Imported here: Rasa takes seconds to import and only this test needs it.
    from rasa.core.lock_store import LockStore, RedisLockStore
    from rasa.core.utils import AvailableEndpoints

    settings = Settings(_env_file=None, rasa_workers=2, tracker_store_url=POSTGRES, redis_url=REDIS)
    for name, value in child_environment(settings).items():
        monkeypatch.setenv(name, value)
    endpoints = AvailableEndpoints.read_endpoints(str(PROJECT_DIR / "endpoints.scaled.yml"))
    lock_store = LockStore.create(endpoints.lock_store)  # connects only when first used
    assert isinstance(lock_store, RedisLockStore)
    connection = lock_store.red.connection_pool.connection_kwargs
    assert connection.items() >= {"host": "127.0.0.1", "port": 6380, "db": 2}.items()
    assert connection["password"] == "s@cret"
    assert endpoints.tracker_store.url == POSTGRES


def test_a_token_starting_with_a_dash_reaches_rasa_as_the_token(monkeypatch):
    # secrets.token_urlsafe starts with "-" once in 64 tokens; `--auth-token -x...` then made
    # Rasa's argparse stop with "expected one argument" (seen in a make test run).
    from rasa.__main__ import create_argument_parser

    monkeypatch.setenv("RASA_TOKEN", "-starts-with-a-dash")
    settings = Settings(_env_file=None)
    rasa = started(settings)["rasa"]
    assert rasa[1:3] == ["-m", "bot.rasa_ext.server"]
    parsed = create_argument_parser().parse_args(rasa[3:])
    assert parsed.auth_token == "-starts-with-a-dash"
