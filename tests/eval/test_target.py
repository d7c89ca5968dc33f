"""`make eval` uses the running servers only when it can ask Rasa for intents too."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.supervisor.stack import free_port
from eval.target import Assistant, running_target
from settings.bot import Settings

TOKEN = "the-right-token"


class FakeAssistant(BaseHTTPRequestHandler):
    """Plays the gateway and Rasa on one port: /healthz, /status, /model/parse and the webhook."""

    def _reply(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _token_ok(self) -> bool:
        return parse_qs(urlsplit(self.path).query).get("token") == [TOKEN]

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/healthz":
            self._reply(200, {"rasa": "ok"})
        elif path == "/status" and self._token_ok():
            self._reply(200, {"model_file": "m.tar.gz"})
        else:
            self._reply(401, {"message": "no"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        path = urlsplit(self.path).path
        if path == "/model/parse" and self._token_ok():
            self._reply(200, {"intent": {"name": f"intent-of-{body['text']}"}})
        elif path == "/webhooks/rest/webhook":
            self._reply(200, [{"text": f"{body['sender']} asked"}, {"text": body["message"]}])
        else:
            self._reply(401, {"message": "no"})

    def log_message(self, *args) -> None:
        """Quiet: the test output is not the place for request lines."""


@pytest.fixture
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAssistant)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def settings(port: int, token: str) -> Settings:
    return Settings(_env_file=None, gateway_port=port, rasa_port=port, rasa_token=token)


def test_running_servers_are_used_when_healthy_and_the_token_is_accepted(port):
    target, why_not = running_target(settings(port, TOKEN))
    assert target is not None and why_not == ""
    assert (target.gateway_url, target.token) == (f"http://127.0.0.1:{port}", TOKEN)


def test_running_servers_are_not_used_without_a_token(port):
    target, why_not = running_target(settings(port, ""))
    assert target is None
    assert "RASA_TOKEN is not set" in why_not


def test_running_servers_are_not_used_when_rasa_refuses_the_token(port):
    target, why_not = running_target(settings(port, "a-wrong-token"))
    assert target is None
    assert "did not accept RASA_TOKEN" in why_not


def test_nothing_running_means_no_target():
    target, why_not = running_target(settings(free_port(), TOKEN))
    assert target is None
    assert "no healthy gateway" in why_not


def test_assistant_joins_the_gateway_answer_and_asks_rasa_for_the_intent(port):
    target, _ = running_target(settings(port, TOKEN))
    assistant = Assistant(target)
    try:
        assert assistant.answer("eval-1", "what is a ct") == "eval-1 asked\nwhat is a ct"
        assert assistant.intent("what is a ct") == "intent-of-what is a ct"
    finally:
        assistant.close()
