"""Real PostgreSQL and Redis, and the assistant with two Rasa workers on them.

Started once for this folder: two workers take a minute or two to load their models here.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.supervisor.datastores import Postgres, Redis, local_datastores
from bot.supervisor.scaled_stack import start_scaled_stack
from bot.supervisor.stack import Stack, free_port
from settings import PROJECT_DIR

WORKERS = 2
RASA_TOKEN = "scale-tests-rasa-token-5c1e8f"


@pytest.fixture(scope="session")
def scale_folder(request) -> Iterator[Path]:
    """Data and logs of this run under var/; kept when a test failed, to read the logs."""
    folder = Path(tempfile.mkdtemp(prefix="scale-tests-", dir=PROJECT_DIR / "var"))
    folder.chmod(0o755)  # under root PostgreSQL runs as `postgres`, which must get in
    yield folder
    if request.session.testsfailed == 0:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def datastores(scale_folder) -> Iterator[tuple[Postgres, Redis]]:
    with local_datastores(scale_folder, free_port(), free_port()) as servers:
        yield servers


@pytest.fixture(scope="session")
def scaled_stack(datastores, scale_folder) -> Iterator[Stack]:
    postgres, redis = datastores
    extra_env = {
        # Known to the tests, which call a worker's own routes (the locked deletion) directly.
        "RASA_TOKEN": RASA_TOKEN,
        # The tests keep 20 conversations in flight at once, all at one worker once the other is
        # killed: a standing queue that admission would rightly turn partly away (as it did in
        # CI). They test what is stored; admission has its own tests, with Redis in
        # test_shared_admission.py. So every message is let in.
        "ADMISSION_SLOTS_PER_WORKER": "20",
    }
    stack = start_scaled_stack(scale_folder / "stack", postgres, redis, WORKERS, extra_env)
    yield stack
    stack.stop()
