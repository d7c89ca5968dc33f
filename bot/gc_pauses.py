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

logger = logging.getLogger(__name__)


def freeze_what_is_loaded() -> None:
    """Call once everything loaded at startup is in place, before serving."""
    gc.collect()
    gc.freeze()
    logger.debug("%d objects moved out of the garbage collector's sight", gc.get_freeze_count())
