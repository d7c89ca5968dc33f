"""Local stand-ins for Slack's Web API and Microsoft's Bot Framework services, on 127.0.0.1.

Each runs a small HTTP server in a thread, answers as the service's documentation says, and
records what the assistant sent it, so tests check the answers without touching the internet.
Also the helpers that play Slack and the Bot Connector: signing Slack requests and issuing
Teams tokens. Where a shape comes from matters here: the Slack methods follow Slack's method
reference (docs.slack.dev/reference/methods), the Teams token takes its claim names from
Microsoft's own SDK (botframework-connector) and its other parts from Microsoft's examples
(microsoft_examples.py), never from this project's code.
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
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
from botframework.connector.auth import AuthenticationConstants, ChannelValidation
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.bot.channels.microsoft_examples import (
    CONNECTOR_TO_BOT_TOKEN_HEADER,
    CONNECTOR_TO_BOT_TOKEN_PAYLOAD,
    OPENID_METADATA,
)

TEAMS_APP_ID = "00000000-1111-2222-3333-444444444444"
TEAMS_CHANNEL = "msteams"
# The claim names the Bot Connector signs, as Microsoft's SDK reads them: `serviceurl` is all
# lower case (SERVICE_URL_CLAIM in Python, ServiceUrlClaim in the JS and Java SDKs).
SERVICE_URL_CLAIM = ChannelValidation.SERVICE_URL_CLAIM
AUDIENCE_CLAIM = AuthenticationConstants.AUDIENCE_CLAIM
ISSUER_CLAIM = AuthenticationConstants.ISSUER_CLAIM
BOT_CONNECTOR_ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER


def slack_headers(
    secret: str,
    body: bytes,
    timestamp: int | None = None,
    content_type: str = "application/json",
) -> dict[str, str]:
    """The headers Slack sends: its v0 signature of this body at this time."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{timestamp}:".encode() + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
    }


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes = b""


class _StandIn:
    """A threaded HTTP server; subclasses answer in `reply` with JSON or, as a str, plain text.

    Arguments are read wherever a client may put them: the query string, a form or JSON body.
    """

    def __init__(self) -> None:
        self.calls: list[Recorded] = []
        self._lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self._answer(b"")

            def do_POST(self) -> None:  # noqa: N802
                self._answer(self.rfile.read(int(self.headers.get("Content-Length", 0))))

            def _answer(self, raw: bytes) -> None:
                url = urlsplit(self.path)
                body: dict[str, Any] = {k: v[0] for k, v in parse_qs(url.query).items()}
                content_type = self.headers.get("Content-Type", "")
                if content_type.startswith("application/json"):
                    body |= json.loads(raw or b"{}")
                elif content_type.startswith("application/x-www-form-urlencoded"):
                    body |= {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                call = Recorded(self.command, unquote(url.path), dict(self.headers), body, raw)
                with standin._lock:
                    status, answer = standin.reply(self.command, call)
                    standin.calls.append(call)
                if isinstance(answer, str):
                    data, kind = answer.encode(), "text/plain"
                else:
                    data, kind = json.dumps(answer).encode(), "application/json"
                self.send_response(status)
                self.send_header("Content-Type", kind)
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

    def reply(self, method: str, call: Recorded) -> tuple[int, dict[str, Any] | str]:
        """Called with the stand-in's lock held, so replies see a consistent state."""
        raise NotImplementedError

    def start(self) -> _StandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def requested(self, path_part: str) -> list[Recorded]:
        with self._lock:
            return [c for c in self.calls if path_part in c.path]

    def posted(self, path_part: str) -> list[Recorded]:
        return [c for c in self.requested(path_part) if c.method == "POST"]

    def wait_for(self, path_part: str, count: int = 1, timeout: float = 60) -> list[Recorded]:
        """The calls to a path once there are `count` of them (or what came before the timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.posted(path_part)) < count:
            time.sleep(0.1)
        return self.posted(path_part)


# Block Kit's documented limits (docs.slack.dev/reference/block-kit/blocks): Slack refuses a
# message that breaks one with `invalid_blocks`.
MAX_BLOCKS = 50
TEXT_LIMITS = {"header": 150, "section": 3000, "markdown": 12000}
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
BUTTON_TEXT_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000


def block_kit_problems(blocks: Any) -> list[str]:
    """What Slack would refuse in a message's blocks (empty when it would take them)."""
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        return ["blocks must be a list of at most 50"]
    problems = []
    action_ids: list[str] = []
    for block in blocks:
        kind = block.get("type")
        text = block.get("text")
        if kind == "header" and (text or {}).get("type") != "plain_text":
            problems.append("a header's text must be plain_text")
        if kind in ("header", "section"):
            text = (text or {}).get("text", "")
        if kind in TEXT_LIMITS and not 0 < len(text or "") <= TEXT_LIMITS[kind]:
            problems.append(f"{kind} text must have 1 to {TEXT_LIMITS[kind]} characters")
        if kind == "context" and not 0 < len(block.get("elements", [])) <= MAX_CONTEXT_ELEMENTS:
            problems.append("a context block has 1 to 10 elements")
        if kind == "actions":
            elements = block.get("elements", [])
            if not 0 < len(elements) <= MAX_ACTIONS_ELEMENTS:
                problems.append("an actions block has 1 to 25 elements")
            for button in elements:
                action_ids.append(button.get("action_id", ""))
                if not 0 < len(button["text"]["text"]) <= BUTTON_TEXT_LIMIT:
                    problems.append("a button's text has 1 to 75 characters")
                if len(button.get("value", "")) > BUTTON_VALUE_LIMIT:
                    problems.append("a button's value has at most 2000 characters")
        if kind not in ("header", "section", "markdown", "context", "actions", "divider"):
            problems.append(f"unknown block type {kind!r}")
    named = [a for a in action_ids if a]
    if len(named) != len(set(named)):
        problems.append("action_id values must be unique in a message")
    return problems


class SlackApi(_StandIn):
    """Slack's Web API methods the assistant calls, answering as Slack's reference says, and
    the response_url of slash commands. While `up` is False it answers 503, as in an outage."""

    up = True

    def __init__(self) -> None:
        super().__init__()
        self._posted: dict[tuple[str, str], dict[str, Any]] = {}
        self._upload_urls: dict[str, dict[str, Any]] = {}
        self.files: list[dict[str, Any]] = []

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str) -> str:
        """A slash command's response_url (Slack's are on hooks.slack.com)."""
        return f"{self.url}/commands/{name}"

    def reply(self, method: str, call: Recorded) -> tuple[int, dict[str, Any] | str]:
        if not self.up:
            return 503, {"ok": False, "error": "service_unavailable"}
        if call.path.startswith("/upload/v1/"):
            return self._receive_upload(call)
        if call.path.startswith("/commands/"):
            return 200, "ok"
        method_name = call.path.removeprefix("/api/")
        answer = {
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "conversations.open": self._open_conversation,
        }.get(method_name)
        if answer is None:
            return 200, {"ok": False, "error": "unknown_method"}
        return 200, answer(call.body)

    def _post_message(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("channel") or not (body.get("text") or body.get("blocks")):
            return {"ok": False, "error": "no_text"}
        if "blocks" in body and block_kit_problems(body["blocks"]):
            return {"ok": False, "error": "invalid_blocks"}
        ts = f"{time.time():.6f}"
        while (body["channel"], ts) in self._posted:
            ts = f"{float(ts) + 0.000001:.6f}"
        self._posted[(body["channel"], ts)] = body
        return {"ok": True, "channel": body["channel"], "ts": ts, "message": body}

    def _update(self, body: dict[str, Any]) -> dict[str, Any]:
        key = (body.get("channel"), body.get("ts"))
        if key not in self._posted:
            return {"ok": False, "error": "message_not_found"}
        if "blocks" in body and block_kit_problems(body["blocks"]):
            return {"ok": False, "error": "invalid_blocks"}
        return {"ok": True, "channel": key[0], "ts": key[1], "text": body.get("text", "")}

    def _post_ephemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("channel") or not body.get("user"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "message_ts": f"{time.time():.6f}"}

    def _get_upload_url(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("filename") or not str(body.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{uuid.uuid4().hex[:10].upper()}"
        self._upload_urls[file_id] = {"filename": body["filename"], "length": int(body["length"])}
        return {"ok": True, "upload_url": f"{self.url}/upload/v1/{file_id}", "file_id": file_id}

    def _receive_upload(self, call: Recorded) -> tuple[int, str]:
        upload = self._upload_urls.get(call.path.rsplit("/", 1)[-1])
        if upload is None:
            return 404, "not found"
        upload["content"] = call.raw
        return 200, f"OK - {len(call.raw)}"

    def _complete_upload(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            files = json.loads(body.get("files", ""))
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        uploads = [self._upload_urls.get(f.get("id")) for f in files]
        if not files or any(u is None or "content" not in u for u in uploads):
            return {"ok": False, "error": "file_not_found"}
        for item, upload in zip(files, uploads, strict=True):
            if len(upload["content"]) != upload["length"]:
                return {"ok": False, "error": "file_upload_size_mismatch"}
            self.files.append(
                {
                    **upload,
                    "id": item["id"],
                    "title": item.get("title"),
                    "channel_id": body.get("channel_id"),
                    "thread_ts": body.get("thread_ts"),
                }
            )
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def _open_conversation(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("users"):
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "channel": {"id": f"D{body['users'].upper()[:10]}"}}

    def click(self, channel: str, saying: str, action_id: str, user: str) -> dict[str, Any]:
        """The block_actions payload Slack sends when `user` presses the button `action_id` on
        the latest message in `channel` that says `saying` (docs.slack.dev, "block_actions
        payload")."""
        with self._lock:
            [(ts, message)] = [
                (ts, m)
                for (where, ts), m in self._posted.items()
                if where == channel and saying in m.get("text", "")
            ][-1:]
        updated = [c.body for c in self.posted("/api/chat.update") if c.body.get("ts") == ts]
        message = {**message, **(updated[-1] if updated else {})}
        [button] = [
            e
            for block in message["blocks"]
            if block["type"] == "actions"
            for e in block["elements"]
            if e["action_id"] == action_id
        ]
        return {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T1"},
            "api_app_id": "A1",
            "token": "verification-token-slack-no-longer-uses",
            "container": {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel,
                "is_ephemeral": False,
            },
            "trigger_id": f"{uuid.uuid4().int % 10**12}.1395872398",
            "team": {"id": "T1", "domain": "clinic"},
            "channel": {"id": channel, "name": "nurses"},
            "message": {"type": "message", "bot_id": "B1", "ts": ts, **message},
            "response_url": self.response_url(f"actions-{uuid.uuid4().hex[:8]}"),
            "actions": [
                {
                    **button,
                    "block_id": "alert",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }

    def slash_command(self, text: str, user: str, channel: str) -> dict[str, str]:
        """The form Slack posts for `/bonemets <text>` (docs.slack.dev, slash commands)."""
        return {
            "token": "verification-token-slack-no-longer-uses",
            "team_id": "T1",
            "team_domain": "clinic",
            "channel_id": channel,
            "channel_name": "oncology-nurses",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/bonemets",
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": self.response_url(f"command-{uuid.uuid4().hex[:8]}"),
            "trigger_id": f"{uuid.uuid4().int % 10**12}.1395872398",
        }

    def messages(self, **match: Any) -> list[dict[str, Any]]:
        bodies = [c.body for c in self.posted("/api/chat.postMessage")]
        return [b for b in bodies if all(b.get(k) == v for k, v in match.items())]

    def updates(self, **match: Any) -> list[dict[str, Any]]:
        bodies = [c.body for c in self.posted("/api/chat.update")]
        return [b for b in bodies if all(b.get(k) == v for k, v in match.items())]

    def shared_files(self, **match: Any) -> list[dict[str, Any]]:
        with self._lock:
            return [f for f in self.files if all(f.get(k) == v for k, v in match.items())]


@dataclass
class SigningKeyPair:
    kid: str
    private: Any = field(repr=False)

    @classmethod
    def new(cls) -> SigningKeyPair:
        return cls(uuid.uuid4().hex, rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def jwk(self, endorsements: list[str]) -> dict[str, Any]:
        """The key as the Bot Connector's keys document lists it: a JWK plus `endorsements`."""
        jwk = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**jwk, "use": "sig", "kid": self.kid, "x5t": self.kid, "endorsements": endorsements}


class BotFramework(_StandIn):
    """Microsoft's side of Teams: OpenID metadata and keys, the token endpoint, and the Bot
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
            return 200, {**OPENID_METADATA, "jwks_uri": f"{self.url}/keys"}
        if call.path == "/keys":
            if self.keys_document is not None:
                return 200, self.keys_document
            return 200, {"keys": [self.key.jwk([TEAMS_CHANNEL, "webchat"])]}
        if call.path == "/oauth2/token":
            token = {"token_type": "Bearer", "expires_in": 3600, "access_token": self.reply_token}
            return 200, token
        return 200, {"id": uuid.uuid4().hex}

    def sign(self, claims: dict[str, Any], key: SigningKeyPair | None = None) -> str:
        """Claims signed as the Bot Connector signs them (its documented header)."""
        key = key or self.key
        header = {**CONNECTOR_TO_BOT_TOKEN_HEADER, "x5t": key.kid, "kid": key.kid}
        return jwt.encode(claims, key.private, algorithm="RS256", headers=header)

    def token(
        self,
        audience: str = TEAMS_APP_ID,
        expires_in: int = 3600,
        key: SigningKeyPair | None = None,
        issuer: str = BOT_CONNECTOR_ISSUER,
        service_url: str | None = None,
        service_url_claim: str = SERVICE_URL_CLAIM,
    ) -> str:
        """A token as the Bot Connector signs it; each argument can make it wrong."""
        now = int(time.time())
        claims = {
            ISSUER_CLAIM: issuer,
            AUDIENCE_CLAIM: audience,
            "nbf": now - 10,
            "exp": now + expires_in,
            service_url_claim: service_url or self.service_url,
        }
        return self.sign(claims, key)

    def documented_example_token(self) -> str:
        """Microsoft's own example token (its nbf and exp are in December 2016), for our app."""
        claims = {
            **CONNECTOR_TO_BOT_TOKEN_PAYLOAD,
            AUDIENCE_CLAIM: TEAMS_APP_ID,
            SERVICE_URL_CLAIM: self.service_url,
        }
        return self.sign(claims)

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
