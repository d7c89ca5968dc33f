"""Rasa's calls to the action server: the same verdicts on replies as Rasa's own check, much
faster, and connections that are kept for the next call."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot.rasa_ext import action_calls
from bot.supervisor.run import child_environment, commands
from settings.bot import Settings

VALID = {
    "events": [{"event": "slot", "name": "current_test", "value": "mri"}],
    "responses": [{"text": "An MRI uses magnets.", "buttons": [], "custom": {}}],
}
INVALID = {"events": "not a list", "responses": []}
# Replies the action server sends, and ones it must not: each checked by both validators.
REPLIES = [
    VALID,
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "last_test", "value": None, "timestamp": None},
            {"event": "followup", "name": "action_explain"},
            {"event": "reset_slots"},
            {"event": "bot", "text": "Hi", "data": {"buttons": [{"title": "A", "payload": "/a"}]}},
        ],
        "responses": [
            {"text": "x", "buttons": [{"title": "A", "payload": "/a"}], "custom": {"a": 1}}
        ],
    },
    INVALID,
    {"events": [{"name": "no event type"}], "responses": []},
    {"events": [{"event": "slot"}], "responses": []},
    {"events": [], "responses": "not a list"},
    {"events": [{"event": "not_an_event_rasa_knows"}], "responses": []},
]
ORIGINAL = RemoteAction._validate_action_result


@pytest.fixture
def action() -> RemoteAction:
    return RemoteAction("action_explain", None)


def test_a_valid_reply_passes_both_checks(action):
    assert ORIGINAL(action, VALID) is True
    assert action_calls.validate_action_result(action, VALID) is True


@pytest.mark.parametrize("reply", REPLIES)
def test_the_verdict_is_rasa_s(action, reply):
    try:
        rasa_verdict = ORIGINAL(action, reply)
    except ValidationError as error:
        rasa_verdict = error.message
    try:
        our_verdict = action_calls.validate_action_result(action, reply)
    except ValidationError as error:
        our_verdict = error.message
    assert our_verdict == rasa_verdict


def test_an_invalid_reply_fails_with_rasa_s_message(action):
    with pytest.raises(ValidationError) as rasa_error:
        ORIGINAL(action, INVALID)
    with pytest.raises(ValidationError) as our_error:
        action_calls.validate_action_result(action, INVALID)
    assert our_error.value.message == rasa_error.value.message


def test_the_compiled_check_is_much_faster(action):
    def seconds(check) -> float:
        began = time.perf_counter()
        for _ in range(50):
            check(action, VALID)
        return time.perf_counter() - began

    action_calls.validate_action_result(action, VALID)  # compile once
    assert seconds(action_calls.validate_action_result) * 5 < seconds(ORIGINAL)


def test_calls_to_an_endpoint_share_one_connection():
    async def scenario() -> tuple[list, list]:
        ports, bodies = [], []

        async def run_action(request: web.Request) -> web.Response:
            ports.append(request.transport.get_extra_info("peername")[1])
            bodies.append(await request.json())
            if bodies[-1].get("next_action") == "action_refused":
                return web.json_response({"action_name": "action_refused"}, status=400)
            return web.json_response(VALID)

        app = web.Application()
        app.router.add_post("/webhook", run_action)
        async with TestServer(app, host="127.0.0.1") as server:
            endpoint = EndpointConfig(str(server.make_url("/webhook")))
            replies = [
                await endpoint.request(json={"next_action": "action_explain"}, method="post")
                for _ in range(3)
            ]
            # A refusal comes back as Rasa's own code expects it (RemoteAction.run).
            with pytest.raises(ClientResponseError) as refused:
                await endpoint.request(json={"next_action": "action_refused"}, method="post")
            assert refused.value.status == 400
            async with endpoint.session() as session:
                await session.close()
        return replies, ports

    action_calls.apply()
    replies, ports = asyncio.run(scenario())
    assert replies == [VALID] * 3
    assert len(ports) == 4 and len(set(ports)) == 1


def test_an_unreachable_action_server_still_fails_as_rasa_expects():
    endpoint = EndpointConfig("http://127.0.0.1:9/webhook")

    async def scenario() -> None:
        with pytest.raises(aiohttp.ClientConnectionError):
            await endpoint.request(json={"next_action": "action_explain"}, method="post")
        async with endpoint.session() as session:
            await session.close()

    action_calls.apply()
    asyncio.run(scenario())
    # A second event loop (a second test, a restarted server) gets a session of its own.
    asyncio.run(scenario())


def test_rasa_is_started_through_the_module_that_applies_the_fix():
    settings = Settings(_env_file=None)
    rasa = commands(settings, child_environment(settings))["rasa"]
    assert rasa[:4] == [sys.executable, "-m", "bot.rasa_ext.server", "run"]


def test_the_module_runs_rasa_s_command_line():
    finished = subprocess.run(
        [sys.executable, "-m", "bot.rasa_ext.server", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0
    assert "3.6" in finished.stdout
