"""`make run-scaled`: the assistant with several Rasa workers on local PostgreSQL and Redis.

Starts both servers with their data under var/datastores/, then `bot.supervisor.run` with
RASA_WORKERS (2 unless set), TRACKER_STORE_URL and REDIS_URL pointing at them; stops the servers
after it.
The ports are off the servers' usual ones so that a system PostgreSQL or Redis is left alone.
"""

from __future__ import annotations

import os
import sys

from bot.supervisor import run
from bot.supervisor.datastores import local_datastores
from settings import PROJECT_DIR

POSTGRES_PORT = 5433
REDIS_PORT = 6380


def main() -> int:
    with local_datastores(PROJECT_DIR / "var" / "datastores", POSTGRES_PORT, REDIS_PORT) as (
        postgres,
        redis,
    ):
        os.environ.setdefault("RASA_WORKERS", "2")
        os.environ.update(TRACKER_STORE_URL=postgres.url, REDIS_URL=redis.url)
        print(
            f"PostgreSQL on 127.0.0.1:{POSTGRES_PORT} and Redis on 127.0.0.1:{REDIS_PORT}, "
            "data in var/datastores/.",
            flush=True,
        )
        return run.main()


if __name__ == "__main__":
    sys.exit(main())
