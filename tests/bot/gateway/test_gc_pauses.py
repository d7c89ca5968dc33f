"""The gateway keeps what it loaded at startup out of the garbage collector's full passes
(bot/gc_pauses.py)."""

from __future__ import annotations

import gc


def test_the_gateway_freezes_when_it_starts(make_client):
    gc.unfreeze()
    try:
        with make_client():
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
