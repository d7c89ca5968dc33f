"""The whole assistant, started once for the test session, as `make run` starts it.

End-to-end, chat-app, safety and widget tests share this one stack: it carries the union of
their settings (the Slack and Teams stand-ins, nurse alerts to the Slack stand-in, a clinic
phone of the tests' own). Tests marked `restarts_stack` stop and start it, so they run last.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from bot import gc_pauses
from bot.supervisor.stack import Stack
from tests.bot.channels.standins import TEAMS_APP_ID, BotFramework, SlackApi
from tests.rasa_cli import RasaRun, data_validation, story_check

CLINIC_PHONE = "312-555-0142"
SLACK_SECRET = "e2e0c4f1d2b3a4958676e5d4c3b2a190"
NURSES_CHANNEL = "C-nurses"
RASA_CLI = pytest.StashKey[dict]()
# The staff page's secret, and Rasa's (the review loop loads a retrained model through its API).
STAFF_TOKEN = "e2e-staff-9c41b7d2a8f3"
RASA_TOKEN = "e2e-rasa-5d7e2c9a1b84"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "restarts_stack: stops and starts the shared stack")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that restart the shared stack go last, so no other test sees it restarting; Rasa's
    command-line checks start now, in the background, if a test will read them.

    Under pytest-xdist (`make test` runs two workers, one per core), a file's tests stay
    together so its module fixtures start once, and the scale-out tests share one scaled stack.
    Each worker starts its own shared stack. Rasa's checks then start when a test first needs
    them: every worker collects every test, and only one runs them.
    """
    items.sort(key=lambda item: item.get_closest_marker("restarts_stack") is not None)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        for item in items:
            path = item.nodeid.split("::")[0]
            group = "scale" if path.startswith("tests/scale/") else path
            item.add_marker(pytest.mark.xdist_group(group))
    elif any(item.nodeid.startswith("tests/test_rasa_data.py") for item in items):
        config.stash[RASA_CLI] = start_rasa_cli()


@pytest.fixture(autouse=True)
def no_server_pauses_logged_from_the_tests() -> Iterator[None]:
    yield
    gc_pauses.stop_logging_pauses()


@pytest.fixture(scope="session")
def rasa_cli(request: pytest.FixtureRequest) -> dict[str, RasaRun]:
    if RASA_CLI not in request.config.stash:
        request.config.stash[RASA_CLI] = start_rasa_cli()
    return request.config.stash[RASA_CLI]


def start_rasa_cli() -> dict[str, RasaRun]:
    return {"validate": data_validation().start(), "stories": story_check().start()}


@pytest.fixture(scope="session")
def slack_api() -> Iterator[SlackApi]:
    standin = SlackApi().start()
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def bot_framework() -> Iterator[BotFramework]:
    standin = BotFramework().start()
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, slack_api, bot_framework) -> Iterator[Stack]:
    """The whole assistant running, once for the test session (about a minute to start)."""
    var_dir = tmp_path_factory.mktemp("stack")
    running = Stack(
        var_dir=var_dir,
        extra_env={
            "CLINIC_PHONE": CLINIC_PHONE,
            "LOG_MESSAGE_TEXT": "false",
            "NURSE_ALERT_MODE": "slack",
            "SLACK_NURSE_CHANNEL": NURSES_CHANNEL,
            "NURSE_ALERT_OUTBOX": str(var_dir / "nurse_alert_outbox.db"),
            "CHAT_APP_WELCOME_FILE": str(var_dir / "chat_app_welcomes.db"),
            "NURSE_ALERT_RETRY_SECONDS": "1",
            "NURSE_ALERT_MAX_BACKOFF_SECONDS": "2",
            "SLACK_SIGNING_SECRET": SLACK_SECRET,
            "SLACK_BOT_TOKEN": "xoxb-e2e-stand-in-token",
            "SLACK_API_BASE_URL": slack_api.base_url,
            "TEAMS_APP_ID": TEAMS_APP_ID,
            "TEAMS_APP_PASSWORD": "e2e-stand-in-app-password",
            "TEAMS_OPENID_METADATA_URL": bot_framework.metadata_url,
            "TEAMS_OAUTH_URL": bot_framework.token_url,
            # The retention job looks every few seconds, so a test sees it work.
            "RETENTION_JOB_INTERVAL_SECONDS": "2",
            "STAFF_TOKEN": STAFF_TOKEN,
            "RASA_TOKEN": RASA_TOKEN,
        },
    )
    running.start()
    yield running
    running.stop()
