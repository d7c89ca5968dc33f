"""Browser tests of the patient widget: real headless Chromium against the real assistant.

Playwright drives Debian's /usr/bin/chromium (scripts/install-browser.sh installs it), because
Playwright's own browser download is not reachable here.
"""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from bot.supervisor.stack import Stack, free_port
from settings import PROJECT_DIR
from tests.widget.chat_widget import ChatWidget

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT_DIR = PROJECT_DIR / "reports" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}


# Per module, not per session: Playwright's sync API keeps an event loop running while it is
# open, and pytest-asyncio cannot run an async test in a process with a running loop (under
# pytest-xdist a worker runs other modules after these).
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser.sh (as root)")
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile: empty localStorage, so a new conversation."""
    fresh = browser.new_context(viewport=DESKTOP, locale="en-US")
    yield fresh
    fresh.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def widget(page: Page, stack: Stack) -> ChatWidget:
    return ChatWidget(page, stack.url)


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@dataclass
class Gateway:
    """One more gateway process in front of the session's Rasa: a test may stop and start it
    (to see the widget's error state) or give it settings (a CORS allow-list) of its own."""

    stack: Stack
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        # The stack's own settings (ports of Rasa and actions, conversation store) plus ours.
        env = self.stack.env()
        env.update(GATEWAY_PORT=str(self.port), **self.extra_env)
        command = [sys.executable, "-m", "uvicorn", "bot.gateway.main:create_app", "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"]
        command += ["--ws", "none"]
        log = (self.stack.var_dir / f"gateway-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()  # the child has its own copy
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the gateway exited with code {self.process.returncode}")
            try:
                # /healthz needs Rasa's token, which only the stack knows; the script will do.
                if httpx.get(f"{self.url}/widget.js", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("the gateway did not answer in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        self.process = None


@pytest.fixture
def own_gateway(stack: Stack) -> Iterator[Gateway]:
    gateway = Gateway(stack)
    gateway.start()
    yield gateway
    gateway.stop()


CLINIC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1><p>A clinic website on another origin.</p></main>
<script src="{gateway}/widget.js" data-title="Ask about bone tests"
  data-clinic-phone="555-0142" data-color="{color}" defer></script>
</body></html>
"""


class ClinicSite:
    """A clinic's own website on another origin, serving a page that embeds the widget."""

    def __init__(self, gateway_url: str) -> None:
        self.gateway_url = gateway_url
        self.color = "#0b5cad"
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                body = CLINIC_PAGE.format(
                    title="Sunny Valley Clinic", gateway=site.gateway_url, color=site.color
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass  # keep test output clean

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def clinic_site_and_gateway(stack: Stack) -> Iterator[tuple[ClinicSite, Gateway]]:
    """A clinic site allowed by the gateway's CORS list (the site's port must be known first)."""
    site = ClinicSite(gateway_url="")
    gateway = Gateway(stack, extra_env={"CORS_ORIGINS": site.url})
    site.gateway_url = gateway.url
    gateway.start()
    yield site, gateway
    gateway.stop()
    site.close()
