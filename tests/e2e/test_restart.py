"""A conversation survives a restart of all processes (SQL tracker store)."""

from __future__ import annotations

import re

import pytest

from tests.stack import Stack, texts

pytestmark = pytest.mark.e2e
# "blastic" said as BLAS-tik, not the end of osteoblastic's OS-tee-oh-BLAS-tik.
BLASTIC_RESPELLING = re.compile(r"(?<![\w-])BLAS-tik")


def test_conversation_survives_restart_of_all_processes(tmp_path):
    stack = Stack(var_dir=tmp_path)
    stack.start()
    try:
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
    finally:
        stack.stop()
