"""Who may open the staff page: one shared secret, `STAFF_TOKEN`.

People sign in with a form (their name, for the review record, and the token) and get a
session cookie; scripts send `Authorization: Bearer <STAFF_TOKEN>`. The cookie holds the name
and an expiry, signed with a key made from the token (HMAC-SHA256), so it cannot be forged or
stretched, and changing the token signs everyone out. It is HttpOnly, limited to /staff, and
SameSite=Strict, so another site can neither read it nor make a browser send it.

Without STAFF_TOKEN, development makes a token at each start (printed once), and production
has no staff page at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass

from settings.bot import Settings

SESSION_COOKIE = "bonemets_staff"
SESSION_SECONDS = 8 * 3600  # a working day
BEARER = re.compile(r"^Bearer\s+(\S+)$", re.IGNORECASE)
# A name for the review record: letters, spaces, dots, apostrophes and hyphens.
REVIEWER_NAME = re.compile(r"^[^\W\d_](?:[^\W_]|[ .'\-])*$")
MAX_NAME_CHARS = 40


def valid_reviewer(name: str) -> str | None:
    """The name, trimmed, if it is one; else None."""
    name = " ".join(name.split())
    if 0 < len(name) <= MAX_NAME_CHARS and REVIEWER_NAME.match(name):
        return name
    return None


@dataclass(frozen=True)
class StaffAuth:
    token: str | None  # None: the staff page is off
    made_here: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> StaffAuth:
        token = settings.staff_token.get_secret_value()
        if token:
            return cls(token)
        if settings.environment == "development":
            return cls(secrets.token_urlsafe(24), made_here=True)
        return cls(None)

    @property
    def on(self) -> bool:
        return self.token is not None

    def is_token(self, candidate: str) -> bool:
        return self.on and hmac.compare_digest(candidate.encode(), self.token.encode())

    def bearer_matches(self, authorization: str | None) -> bool:
        found = BEARER.match(authorization or "")
        return bool(found) and self.is_token(found.group(1))

    def session_cookie(self, reviewer: str, now: float | None = None) -> str:
        expires = int((time.time() if now is None else now) + SESSION_SECONDS)
        payload = _b64(json.dumps({"name": reviewer, "expires": expires}).encode())
        return f"{payload}.{self._signature(payload)}"

    def reviewer_of(self, cookie: str | None, now: float | None = None) -> str | None:
        """The signed-in reviewer's name, if the cookie is genuine and current."""
        if not self.on or not cookie or cookie.count(".") != 1:
            return None
        payload, signature = cookie.split(".")
        if not hmac.compare_digest(signature, self._signature(payload)):
            return None
        try:
            session = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except ValueError:
            return None
        if session.get("expires", 0) < (time.time() if now is None else now):
            return None
        return valid_reviewer(str(session.get("name", "")))

    def _signature(self, payload: str) -> str:
        key = hashlib.sha256(f"staff-session:{self.token}".encode()).digest()
        return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
