"""The gateway with Rasa's connector endpoints replaced by a recorder, and the stand-ins."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.channels.teams.auth import IncomingTokenVerifier
from bot.gateway.chat_apps import ChatApps
from bot.gateway.main import create_app
from bot.gateway.rasa_client import RasaClient
from bot.gateway.relay import ChannelRelay
from settings.bot import Settings
from tests.bot.channels.standins import TEAMS_APP_ID, BotFramework, SlackApi

SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


class RasaConnectors:
    """Plays Rasa's Slack and Teams endpoints; records what the gateway relayed to them."""

    def __init__(self) -> None:
        self.received: list[httpx.Request] = []
        self.delay_seconds = 0.0

    async def handler(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(self.delay_seconds)
        self.received.append(request)
        return httpx.Response(200)


@pytest.fixture
def rasa_connectors() -> RasaConnectors:
    return RasaConnectors()


@pytest.fixture(scope="session")
def bot_framework() -> Iterator[BotFramework]:
    standin = BotFramework().start()
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def slack_api() -> Iterator[SlackApi]:
    standin = SlackApi().start()
    yield standin
    standin.stop()


@pytest.fixture
def make_gateway(
    rasa_connectors: RasaConnectors, bot_framework: BotFramework, tmp_path: Path
) -> Iterator[Callable[..., TestClient]]:
    """A started gateway (so relays run in its event loop); `slack`/`teams` False turn them off."""
    clients: list[TestClient] = []

    def make(slack: bool = True, teams: bool = True, teams_metadata_url: str = "") -> TestClient:
        # The started gateway's retention job opens the store: one of the test's own.
        settings = Settings(
            _env_file=None, tracker_store_url=f"sqlite:///{tmp_path / 'tracker.db'}"
        )
        transport = httpx.MockTransport(rasa_connectors.handler)
        chat_apps = ChatApps(
            relay=ChannelRelay(settings.rasa_worker_urls, 10.0, transport=transport),
            slack_signing_secret=SLACK_SECRET if slack else "",
            teams=IncomingTokenVerifier(
                TEAMS_APP_ID, teams_metadata_url or bot_framework.metadata_url
            )
            if teams
            else None,
        )
        rasa = RasaClient(settings.rasa_url, settings.action_server_url, "t", 2.0, transport)
        client = TestClient(
            create_app(settings, rasa=rasa, chat_apps=chat_apps), raise_server_exceptions=False
        )
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
