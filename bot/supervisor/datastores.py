"""Private PostgreSQL and Redis servers for the scaled mode, on loopback, data in one folder.

`make run-scaled` (bot/run_scaled.py), tests/scale and the scaled bench start them. They are
Debian's real servers (scripts/install-datastores.sh installs them) run as plain processes, not
as system services: each developer or test run gets its own instance on its own ports, and
nothing outside the folder changes. PostgreSQL refuses to run as root, so under root it runs as
the `postgres` user that Debian's package creates.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import redis

DATABASE = "rasa"
USER = "rasa"
START_TIMEOUT_SECONDS = 60
SERVICE_USER = "postgres"


def _program(name: str) -> str:
    """Debian keeps PostgreSQL's server programs off PATH, in /usr/lib/postgresql/<version>/bin."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    found = str(versions[-1]) if versions else shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} is missing; run scripts/install-datastores.sh")
    return found


def _run_as_service_user() -> str | None:
    return SERVICE_USER if os.geteuid() == 0 else None


@dataclass
class Postgres:
    """One PostgreSQL server whose data, log and password live in `folder`.

    Under root, the folders above `folder` must let the `postgres` user through (var/ does).
    """

    folder: Path
    port: int

    def __post_init__(self) -> None:
        self.folder = self.folder.resolve()  # pg_ctl runs in the folder itself

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def password_file(self) -> Path:
        return self.folder / "password"

    @property
    def url(self) -> str:
        password = self.password_file.read_text(encoding="utf-8").strip()
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> None:
        if not (self.data_dir / "PG_VERSION").exists():
            self._init()
        self._pg_ctl(
            "start",
            "--wait",
            f"--timeout={START_TIMEOUT_SECONDS}",
            f"--log={self.folder / 'postgres.log'}",
            # TCP on loopback only; no Unix socket, whose default folder may not be writable.
            # A commit returns once its WAL is written, not flushed to disk: as the SQLite
            # stores do (bot/sqlite_engine.py), a crash of the machine may lose the last moment
            # of messages but never corrupts the store.
            f"--options=-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories=''"
            " -c synchronous_commit=off",
        )
        self._ensure_database()

    def stop(self) -> None:
        self._pg_ctl("stop", "--wait", "--mode=fast")

    def restart(self) -> None:
        self.stop()
        self.start()

    def _init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.password_file.write_text(secrets.token_urlsafe(24), encoding="utf-8")
        self.password_file.chmod(0o600)
        user = _run_as_service_user()
        if user:
            shutil.chown(self.folder, user)
            shutil.chown(self.password_file, user)
        subprocess.run(
            [
                _program("initdb"),
                f"--pgdata={self.data_dir}",
                f"--username={USER}",
                f"--pwfile={self.password_file}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
            ],
            cwd=self.folder,
            user=user,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def _ensure_database(self) -> None:
        # initdb makes only the `postgres` database; Rasa's goes beside it.
        connection = psycopg2.connect(self.url.rsplit("/", 1)[0] + "/postgres")
        try:
            connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
                if cursor.fetchone() is None:
                    cursor.execute(f"CREATE DATABASE {DATABASE}")
        finally:
            connection.close()

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [_program("pg_ctl"), f"--pgdata={self.data_dir}", "--silent", *args],
            cwd=self.folder,
            user=_run_as_service_user(),
            check=True,
            start_new_session=True,  # Ctrl-C in the terminal reaches the supervisor only
        )


@dataclass
class Redis:
    """One Redis server in `folder`. It keeps nothing on disk: Rasa's locks are short-lived."""

    folder: Path
    port: int
    process: subprocess.Popen | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.folder = self.folder.resolve()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.folder),
                "--logfile",
                str(self.folder / "redis.log"),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Redis did not start; see {self.folder / 'redis.log'}")
            time.sleep(0.1)

    def _answers(self) -> bool:
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        try:
            return client.ping()
        except redis.ConnectionError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=START_TIMEOUT_SECONDS)
        self.process = None


@contextmanager
def local_datastores(
    folder: Path, postgres_port: int, redis_port: int
) -> Iterator[tuple[Postgres, Redis]]:
    """Both servers running for the `with` block; their data stays in `folder` afterwards."""
    postgres = Postgres(folder / "postgres", postgres_port)
    redis_server = Redis(folder / "redis", redis_port)
    postgres.start()
    try:
        redis_server.start()
        try:
            yield postgres, redis_server
        finally:
            redis_server.stop()
    finally:
        postgres.stop()
