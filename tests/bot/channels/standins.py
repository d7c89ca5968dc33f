"""Local stand-ins for Slack's Web API and Microsoft's Bot Framework services, on 127.0.0.1.

Each runs a small HTTP server in a thread and records what the assistant sent it, so tests can
check the answers without touching the internet. Also the helpers that play Slack and the Bot
Connector: signing Slack requests and issuing Teams tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

TEAMS_ISSUER = "https://api.botframework.com"
TEAMS_APP_ID = "00000000-1111-2222-3333-444444444444"
TEAMS_CHANNEL = "msteams"


def slack_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends: its v0 signature of this body at this time."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{timestamp}:".encode() + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
    }


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class _StandIn:
    """A threaded HTTP server; subclasses answer in `reply`."""

    def __init__(self) -> None:
        self.calls: list[Recorded] = []
        self._lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self._answer({})

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body = json.loads(raw or b"{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                self._answer(body)

            def _answer(self, body: dict[str, Any]) -> None:
                call = Recorded(unquote(self.path), dict(self.headers), body)
                status, answer = standin.reply(self.command, call)
                if self.command == "POST":
                    with standin._lock:
                        standin.calls.append(call)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def reply(self, method: str, call: Recorded) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError

    def start(self) -> _StandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def posted(self, path_part: str) -> list[Recorded]:
        with self._lock:
            return [c for c in self.calls if path_part in c.path]

    def wait_for(self, path_part: str, count: int = 1, timeout: float = 60) -> list[Recorded]:
        """The calls to a path once there are `count` of them (or what came before the timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.posted(path_part)) < count:
            time.sleep(0.1)
        return self.posted(path_part)


class SlackApi(_StandIn):
    """Slack's Web API: records chat.postMessage calls and answers `ok` as Slack does; while
    `up` is False it answers 503, as during an outage."""

    up = True

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/"

    def reply(self, method: str, call: Recorded) -> tuple[int, dict[str, Any]]:
        if not self.up:
            return 503, {"ok": False, "error": "service_unavailable"}
        return 200, {"ok": True, "channel": call.body.get("channel"), "ts": f"{time.time():.6f}"}

    def messages(self, **match: Any) -> list[dict[str, Any]]:
        bodies = [c.body for c in self.posted("/api/chat.postMessage")]
        return [b for b in bodies if all(b.get(k) == v for k, v in match.items())]


@dataclass
class SigningKeyPair:
    kid: str
    private: Any = field(repr=False)

    @classmethod
    def new(cls) -> SigningKeyPair:
        return cls(uuid.uuid4().hex, rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def jwk(self, endorsements: list[str]) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "endorsements": endorsements}


class BotFramework(_StandIn):
    """Microsoft's side of Teams: OpenID metadata and JWKS, the token endpoint, and the Bot
    Connector at a serviceUrl, which records the replies."""

    def __init__(self) -> None:
        super().__init__()
        self.key = SigningKeyPair.new()
        self.reply_token = f"reply-token-{uuid.uuid4().hex}"
        # When set, the JWKS document served instead of the real one (to serve a broken one).
        self.keys_document: Any = None

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/openid"

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth2/token"

    @property
    def service_url(self) -> str:
        return f"{self.url}/connector/"

    def reply(self, method: str, call: Recorded) -> tuple[int, dict[str, Any]]:
        if call.path == "/openid":
            return 200, {"issuer": TEAMS_ISSUER, "jwks_uri": f"{self.url}/keys"}
        if call.path == "/keys":
            if self.keys_document is not None:
                return 200, self.keys_document
            return 200, {"keys": [self.key.jwk([TEAMS_CHANNEL, "webchat"])]}
        if call.path == "/oauth2/token":
            return 200, {"expires_in": 3600, "access_token": self.reply_token}
        return 200, {"id": uuid.uuid4().hex}

    def token(
        self,
        audience: str = TEAMS_APP_ID,
        expires_in: int = 3600,
        key: SigningKeyPair | None = None,
        issuer: str = TEAMS_ISSUER,
        service_url: str | None = None,
    ) -> str:
        """A token as the Bot Connector signs it; each argument can make it wrong."""
        key = key or self.key
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience,
            "iat": now - 10,
            "nbf": now - 10,
            "exp": now + expires_in,
            "serviceUrl": service_url or self.service_url,
        }
        return jwt.encode(claims, key.private, algorithm="RS256", headers={"kid": key.kid})

    def activity(self, text: str, user: str = "29:nurse-1", **extra: Any) -> dict[str, Any]:
        return {
            "type": "message",
            "id": f"activity-{uuid.uuid4().hex[:8]}",
            "channelId": TEAMS_CHANNEL,
            "serviceUrl": self.service_url,
            "from": {"id": user, "name": "A nurse"},
            "conversation": {"id": f"a:conversation-{uuid.uuid4().hex[:8]}"},
            "recipient": {"id": f"28:{TEAMS_APP_ID}", "name": "Bone mets guide"},
            "text": text,
            **extra,
        }

    def replies(self) -> list[Recorded]:
        return self.posted("/connector/v3/conversations/")
