from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.stack import Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[Stack]:
    """The whole assistant running, once for the test session (about a minute to start)."""
    running = Stack(var_dir=tmp_path_factory.mktemp("stack"))
    running.start()
    yield running
    running.stop()
