"""Each server keeps what it loaded at startup out of the garbage collector's full passes."""

from __future__ import annotations

import asyncio
import gc
import time

import pytest

from bot.gc_pauses import freeze_what_is_loaded
from bot.rasa_ext import server as rasa_server


@pytest.fixture(autouse=True)
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_full_collection_skips_what_was_loaded():
    loaded = [{"id": n, "text": f"sentence {n}"} for n in range(300_000)]

    def full_collection_ms() -> float:
        began = time.perf_counter()
        gc.collect()
        return (time.perf_counter() - began) * 1000

    before = full_collection_ms()
    freeze_what_is_loaded()
    assert gc.get_freeze_count() > len(loaded)
    assert full_collection_ms() * 5 < before


def test_rasa_freezes_once_its_model_is_loaded(monkeypatch):
    async def load_agent_on_start(*args, **kwargs):
        assert gc.get_freeze_count() == 0
        return "the agent"

    monkeypatch.setattr(rasa_server, "_load_agent_on_start", load_agent_on_start)
    assert asyncio.run(rasa_server.load_agent_then_freeze("models", None, None)) == "the agent"
    assert gc.get_freeze_count() > 0


def test_rasa_s_startup_listener_is_the_one_that_freezes(monkeypatch):
    from rasa.core import run as rasa_run

    monkeypatch.setattr(rasa_run, "load_agent_on_start", rasa_run.load_agent_on_start)
    rasa_server.apply()
    assert rasa_run.load_agent_on_start is rasa_server.load_agent_then_freeze


def test_the_action_server_freezes_once_its_actions_are_loaded():
    import rasa_sdk_plugins

    class SanicApp:
        def add_task(self, task) -> None:
            task.close()  # the alert upkeep is not what this test is about

    asyncio.run(rasa_sdk_plugins._start_alert_upkeep(SanicApp(), None))
    assert gc.get_freeze_count() > 0


def test_a_long_collection_is_logged(monkeypatch, caplog):
    from bot import gc_pauses

    monkeypatch.setattr(gc_pauses, "LONG_PAUSE_MS", -1.0)  # every collection counts as long
    freeze_what_is_loaded()
    try:
        with caplog.at_level("WARNING", logger="bot.gc_pauses"):
            gc.collect()
    finally:
        gc.callbacks.remove(gc_pauses._time_collection)
    assert "garbage collection of generation 2 stopped the server" in caplog.text
