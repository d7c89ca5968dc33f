"""Bot Framework (Teams) authentication, both ways.

In: every activity carries a JWT that the Bot Connector signed with a key listed in its OpenID
metadata. It is accepted only with a known key, RS256, the Bot Connector's issuer, our app id as
audience, a valid lifetime, the activity's serviceUrl in its claims and the activity's channel in
the key's endorsements (Microsoft's rules for "Authentication with the Bot Connector API").

Out: replies are posted with a token the bot gets for itself (OAuth client credentials).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm

logger = logging.getLogger(__name__)

BEARER = re.compile(r"Bearer\s+(\S+)", re.IGNORECASE)
ALGORITHMS = ["RS256"]
CLOCK_SKEW_SECONDS = 5 * 60  # Microsoft asks bots to allow five minutes of clock skew
# Microsoft's Bot Framework SDKs refresh the keys every 24 hours...
KEYS_REFRESH_SECONDS = 24 * 60 * 60
# ...and older ones every 5 days. Keys not refreshed for that long are dropped: a key Microsoft
# has withdrawn must not be trusted for ever because its metadata URL stopped answering.
KEYS_MAX_AGE_SECONDS = 5 * 24 * 60 * 60
# An unknown key id makes us fetch the keys again (Microsoft rotates them), but at most this
# often, so made-up key ids cannot turn us into a flood of requests to the metadata URL.
REFETCH_AFTER_SECONDS = 60
# After a failed fetch, no other is tried for this long, doubling with each failure up to the
# cap: while Microsoft is unreachable each request gets its 503 at once, not after a fetch.
FAILED_FETCH_WAIT_SECONDS = 2.0
FAILED_FETCH_MAX_WAIT_SECONDS = 300.0
REPLY_TOKEN_SCOPE = "https://api.botframework.com/.default"
HTTP_TIMEOUT_SECONDS = 10.0


class TokenRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeysUnavailable(Exception):
    """The signing keys could not be fetched, so no token can be checked now."""


class ReplyTokenUnavailable(Exception):
    """The token endpoint did not give us a token to post replies with."""


def bearer_token(authorization: str | None) -> str:
    match = BEARER.fullmatch((authorization or "").strip())
    if not match:
        raise TokenRefused("no Bearer token in the Authorization header")
    return match.group(1)


@dataclass(frozen=True)
class SigningKey:
    public_key: Any
    endorsements: tuple[str, ...]


class IncomingTokenVerifier:
    def __init__(
        self,
        app_id: str,
        metadata_url: str,
        issuer: str,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._app_id = app_id
        self._metadata_url = metadata_url
        self._issuer = issuer
        self._transport = transport
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at = float("-inf")
        self._failed_fetches = 0
        self._next_fetch_at = float("-inf")
        self._lock = asyncio.Lock()

    async def verify(self, token: str, activity: dict[str, Any]) -> dict[str, Any]:
        """The token's claims; raises TokenRefused (or KeysUnavailable) otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise TokenRefused("the token is not a JWT") from error
        if header.get("alg") not in ALGORITHMS:
            raise TokenRefused("the token is not signed with RS256")
        key = await self._signing_key(str(header.get("kid", "")))
        if key is None:
            raise TokenRefused("the token is signed by an unknown key")
        try:
            claims = jwt.decode(
                token,
                key=key.public_key,
                algorithms=ALGORITHMS,
                audience=self._app_id,
                issuer=self._issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise TokenRefused("the token has expired") from error
        except jwt.InvalidAudienceError as error:
            raise TokenRefused("the token is for another app id") from error
        except jwt.InvalidIssuerError as error:
            raise TokenRefused("the token has another issuer") from error
        except jwt.PyJWTError as error:
            raise TokenRefused(f"the token is invalid ({type(error).__name__})") from error
        # Replies go to the activity's serviceUrl with our own token, so a signed token must
        # vouch for that address: otherwise anyone could send our token elsewhere.
        if claims.get("serviceUrl") != activity.get("serviceUrl"):
            raise TokenRefused("the token does not vouch for the activity's serviceUrl")
        channel = activity.get("channelId")
        if channel and channel not in key.endorsements:
            raise TokenRefused(f"the signing key is not endorsed for channel {channel!r}")
        return claims

    async def _signing_key(self, kid: str) -> SigningKey | None:
        async with self._lock:
            age = self._clock() - self._fetched_at
            if age > KEYS_MAX_AGE_SECONDS:
                self._keys = {}
            wanted = age > KEYS_REFRESH_SECONDS or (
                kid not in self._keys and age > REFETCH_AFTER_SECONDS
            )
            if wanted and self._clock() >= self._next_fetch_at:
                await self._refresh_keys()
            if not self._keys:
                raise KeysUnavailable()
            return self._keys.get(kid)

    async def _refresh_keys(self) -> None:
        try:
            self._keys = await self._fetch_keys()
        except KeysUnavailable as error:
            self._failed_fetches += 1
            wait = min(
                FAILED_FETCH_MAX_WAIT_SECONDS,
                FAILED_FETCH_WAIT_SECONDS * 2 ** (self._failed_fetches - 1),
            )
            self._next_fetch_at = self._clock() + wait
            logger.warning(
                "could not fetch Bot Framework keys (%s); next try in %.0f s", error, wait
            )
            return
        self._fetched_at = self._clock()
        self._failed_fetches = 0

    async def _fetch_keys(self) -> dict[str, SigningKey]:
        """The RSA keys of the key set; KeysUnavailable for anything else, however malformed."""
        try:
            async with httpx.AsyncClient(
                timeout=HTTP_TIMEOUT_SECONDS, transport=self._transport
            ) as http:
                metadata = await http.get(self._metadata_url)
                metadata.raise_for_status()
                jwks_uri = _field(metadata.json(), "jwks_uri", str)
                jwks = await http.get(jwks_uri)
                jwks.raise_for_status()
                listed = _field(jwks.json(), "keys", list)
        except (httpx.HTTPError, ValueError) as error:
            raise KeysUnavailable(f"{type(error).__name__}: {error}") from error
        keys = {}
        for jwk in listed:
            kid = jwk.get("kid") if isinstance(jwk, dict) else None
            endorsements = jwk.get("endorsements", []) if isinstance(jwk, dict) else None
            if not (isinstance(kid, str) and kid and isinstance(endorsements, list)):
                logger.warning("skipping a Bot Framework key without an id or endorsements")
                continue
            try:
                public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
            except (jwt.InvalidKeyError, ValueError, KeyError, TypeError):
                public_key = None
            # A private key (with "d") loads too, but cannot check a signature.
            if not isinstance(public_key, RSAPublicKey):
                logger.warning(
                    "skipping a Bot Framework key that is not an RSA public key: %s", kid
                )
                continue
            keys[kid] = SigningKey(public_key, tuple(str(e) for e in endorsements))
        if not keys:
            raise KeysUnavailable("the key set holds no usable key")
        return keys


def _field(document: Any, name: str, kind: type) -> Any:
    """document[name] when the document is a JSON object and the value of the expected type."""
    value = document.get(name) if isinstance(document, dict) else None
    if not isinstance(value, kind):
        raise ValueError(f"no {name} of type {kind.__name__} in the document")
    return value


class ReplyTokens:
    """The bot's own token for posting replies, fetched with the app id and password, cached."""

    def __init__(
        self,
        token_url: str,
        app_id: str,
        app_password: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._token_url = token_url
        self._app_id = app_id
        self._app_password = app_password
        self._transport = transport
        self._token = ""
        self._renew_at = float("-inf")
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        async with self._lock:
            if time.monotonic() >= self._renew_at:
                self._token, lifetime = await self._fetch()
                # Renew a little before expiry so a reply never carries an expired token.
                self._renew_at = time.monotonic() + max(0, lifetime - 300)
            return self._token

    async def _fetch(self) -> tuple[str, int]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._app_id,
            "client_secret": self._app_password,
            "scope": REPLY_TOKEN_SCOPE,
        }
        try:
            async with httpx.AsyncClient(
                timeout=HTTP_TIMEOUT_SECONDS, transport=self._transport
            ) as http:
                response = await http.post(self._token_url, data=form)
            response.raise_for_status()
            body = response.json()
            return body["access_token"], int(body.get("expires_in", 3600))
        except (httpx.HTTPError, ValueError, KeyError) as error:
            raise ReplyTokenUnavailable(str(error)) from error
