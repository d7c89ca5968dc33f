"""The assistant's three processes, started one by one so a test can break one of them.

`make run`'s supervisor stops everything when one part dies, which is right for running the
assistant but leaves nothing to test a dead part against. Here each part runs with exactly the
command and environment the supervisor gives it (bot/supervisor/run.py), in its own process
group, and a test can stop, pause, kill or start each one while the others run on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.supervisor.run import child_environment, commands
from bot.supervisor.stack import START_TIMEOUT_SECONDS, free_port
from settings import PROJECT_DIR
from settings.bot import Settings


@dataclass
class Parts:
    var_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.var_dir / "parts.log"
        variables = {
            "GATEWAY_PORT": str(free_port()),
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "TRACKER_STORE_URL": f"sqlite:///{self.var_dir / 'tracker.db'}",
            "NURSE_ALERT_FILE": str(self.var_dir / "nurse_alerts.jsonl"),
            "NURSE_ALERT_OUTBOX": str(self.var_dir / "nurse_alert_outbox.db"),
            "RATE_LIMIT_PER_MINUTE": "1000",
            **self.extra_env,
        }
        os_and_ours = {**os.environ, **variables}
        self.settings = Settings(
            _env_file=None,
            **{
                name.lower(): value
                for name, value in variables.items()
                if name.lower() in Settings.__fields__
            },
        )
        env = child_environment(self.settings)
        self.env = {**env, **{k: v for k, v in os_and_ours.items() if k not in env}}
        self.commands = commands(self.settings, self.env)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.gateway_port}"

    def start(self, name: str | None = None) -> None:
        """Starts one part, or all three; `wait_until_healthy` says when they answer."""
        with self.log_path.open("ab") as log:
            for part in [name] if name else list(self.commands):
                self.processes[part] = subprocess.Popen(
                    self.commands[part],
                    cwd=PROJECT_DIR,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )

    def send_signal(self, name: str, signum: int) -> None:
        os.killpg(self.processes[name].pid, signum)

    def stop(self, name: str, signum: int = signal.SIGTERM) -> None:
        """Stops one part (SIGTERM: as an operator does; SIGKILL: as a crash does)."""
        self.send_signal(name, signum)
        self.processes[name].wait(timeout=30)

    def stop_all(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is None:
                self.send_signal(name, signal.SIGCONT)
                self.send_signal(name, signal.SIGKILL)
                process.wait()

    def health(self) -> httpx.Response:
        return httpx.get(f"{self.url}/healthz", timeout=10)

    def wait_until_healthy(self, timeout: float = START_TIMEOUT_SECONDS) -> float:
        """Seconds until /healthz answered 200."""
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            try:
                if self.health().status_code == 200:
                    return time.monotonic() - began
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"/healthz did not answer 200 in time; see {self.log_path}")

    def say(self, sender: str, message: str) -> tuple[httpx.Response, float]:
        """The gateway's answer and the seconds it took."""
        began = time.monotonic()
        response = httpx.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=30,
        )
        return response, time.monotonic() - began
