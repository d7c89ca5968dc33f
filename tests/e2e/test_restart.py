"""A conversation survives a restart of all processes (SQL tracker store)."""

from __future__ import annotations

import re

import pytest

from bot.supervisor.stack import texts

pytestmark = pytest.mark.e2e
# "blastic" said as BLAS-tik, not the end of osteoblastic's OS-tee-oh-BLAS-tik.
BLASTIC_RESPELLING = re.compile(r"(?<![\w-])BLAS-tik")


@pytest.mark.restarts_stack
def test_conversation_survives_restart_of_all_processes(stack):
    first = texts(stack.say("restart-1", "what is a bone scan"))
    assert "whole skeleton" in first
    stack.stop()
    stack.start()
    # The follow-up only makes sense with the remembered subject (the bone scan), and the
    # respelling given before the restart is not given again.
    after = texts(stack.say("restart-1", "what does it show?"))
    assert "denser" in after
    assert BLASTIC_RESPELLING.search(after)
    again = texts(stack.say("restart-1", "what is a blastic lesion"))
    assert not BLASTIC_RESPELLING.search(again)
