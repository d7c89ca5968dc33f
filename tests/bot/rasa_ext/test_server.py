"""The Rasa server's action-reply validation: the same verdicts as Rasa's, without re-checking
the schema on every reply."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.rasa_ext import server as rasa_server
from bot.supervisor.run import child_environment, commands
from settings.bot import Settings

VALID = {
    "events": [{"event": "slot", "name": "current_test", "value": "mri"}],
    "responses": [{"text": "An MRI uses magnets.", "buttons": [], "custom": {}}],
}
INVALID = {"events": "not a list", "responses": []}
ORIGINAL = RemoteAction._validate_action_result


@pytest.fixture
def action() -> RemoteAction:
    return RemoteAction("action_explain", None)


def test_a_valid_reply_passes_both_checks(action):
    assert ORIGINAL(action, VALID) is True
    assert rasa_server.validate_action_result(action, VALID) is True


def test_an_invalid_reply_fails_with_rasa_s_message(action):
    with pytest.raises(ValidationError) as rasa_error:
        ORIGINAL(action, INVALID)
    with pytest.raises(ValidationError) as our_error:
        rasa_server.validate_action_result(action, INVALID)
    assert our_error.value.message == rasa_error.value.message


def test_the_compiled_check_is_much_faster(action):
    def seconds(check) -> float:
        began = time.perf_counter()
        for _ in range(50):
            check(action, VALID)
        return time.perf_counter() - began

    rasa_server.validate_action_result(action, VALID)  # compile once
    assert seconds(rasa_server.validate_action_result) * 5 < seconds(ORIGINAL)


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
