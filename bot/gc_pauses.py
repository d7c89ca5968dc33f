"""Keeps Python's full garbage collections from stopping a server for a tenth of a second or more.

CPython's cyclic collector now and then walks every object the process holds (a "generation 2"
collection), and the server answers nothing while it does. Rasa holds about half a million
objects once its model is loaded (TensorFlow, spaCy, the domain): one full collection took
280-300 ms on this machine, the gateway's 100 ms, the action server's 50 ms. Under load such a
pause fills the gateway's admission slots and turns patients away as busy (issue 23) while the
processor is mostly idle. Almost all of those objects live as long as the process, so after
startup they are moved out of the collector's sight (`gc.freeze`, Python 3.7+): a full
collection then walks only what was made since, which took under 1 ms. What is frozen is never
freed, which is right for a model loaded once per process; nothing here loads a second one.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

logger = logging.getLogger(__name__)

# A collection that stops the server longer than this is logged: a turn costs about 20 ms.
LONG_PAUSE_MS = 50.0


def freeze_what_is_loaded() -> None:
    """Call once everything loaded at startup is in place, before serving. From then on, a
    collection that takes longer than LONG_PAUSE_MS is logged as a warning."""
    gc.collect()
    gc.freeze()
    logger.debug("%d objects moved out of the garbage collector's sight", gc.get_freeze_count())
    if _time_collection not in gc.callbacks:
        gc.callbacks.append(_time_collection)


_started: list[float] = []


def _time_collection(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[:] = [time.perf_counter()]
    elif _started:
        milliseconds = (time.perf_counter() - _started[0]) * 1000
        if milliseconds > LONG_PAUSE_MS:
            logger.warning(
                "garbage collection of generation %d stopped the server for %.0f ms",
                info["generation"],
                milliseconds,
            )


def stop_logging_pauses() -> None:
    """For a process that is not a server: the tests start gateways in their own process, and
    its collections were then logged as the server's pauses (600 ms ones in CI). The freeze
    stays: it keeps those collections short, which timing tests in that process rely on."""
    if _time_collection in gc.callbacks:
        gc.callbacks.remove(_time_collection)
