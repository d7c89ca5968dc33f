"""Bot Framework (Teams) authentication, both ways.

In: every activity carries a JWT that the Bot Connector signed. It is checked by Microsoft's own
code, botframework-connector's `ChannelValidation`: a key from the Bot Connector's OpenID
metadata, endorsed for the activity's channel; the issuer https://api.botframework.com; our app
id as audience; a valid lifetime; and the claim `serviceurl` equal to the activity's
serviceUrl. Only that path: tokens the Bot Framework Emulator or another bot (a skill) would
send are refused, since a Teams bot in production receives neither.

The SDK fetches the keys with blocking `requests` calls that have no timeout, so each check
runs in a small thread pool of its own, with its own event loop, and is given up after
CHECK_TIMEOUT_SECONDS: the gateway's and Rasa's event loops never wait on Microsoft. The SDK
keeps the keys a day, then fetches them again. When the keys cannot be had (Microsoft
unreachable, or a key set the SDK cannot read) the activity gets a 503, and checks stop asking
Microsoft for a back-off that doubles from 2 s to 5 minutes, so an outage costs one slow
request, not one per message.

Out: replies are posted with a token the bot gets for itself (OAuth client credentials).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import requests
from botframework.connector.auth import (
    ChannelValidation,
    ClaimsIdentity,
    JwtTokenExtractor,
    SimpleCredentialProvider,
)

logger = logging.getLogger(__name__)

BEARER = re.compile(r"Bearer\s+(\S+)", re.IGNORECASE)
CHECK_TIMEOUT_SECONDS = 15.0
FIRST_BACK_OFF_SECONDS = 2.0
MAX_BACK_OFF_SECONDS = 300.0
# What the SDK raises when the metadata or key set is not what it expects, rather than when a
# token is wrong (that is PermissionError, a jwt error, or IndexError for an unknown key).
MALFORMED_KEYS = (KeyError, TypeError, ValueError, AttributeError)
# Enough for bursts; a hung fetch of Microsoft's keys can hold at most these threads.
CHECK_THREADS = 4
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


class IncomingTokenVerifier:
    """Microsoft's channel validation for one app id, against one OpenID metadata URL.

    The SDK reads the metadata URL from a class attribute (as Microsoft's own adapter sets
    it), so one process checks tokens against one URL: the setting's.
    """

    def __init__(
        self, app_id: str, metadata_url: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._credentials = SimpleCredentialProvider(app_id, "")
        ChannelValidation.open_id_metadata_endpoint = metadata_url
        self._threads = ThreadPoolExecutor(CHECK_THREADS, thread_name_prefix="teams-token")
        self._clock = clock
        self._back_off = 0.0
        self._unavailable_until = float("-inf")

    async def verify(self, token: str, activity: dict[str, Any]) -> dict[str, Any]:
        """The token's claims; raises TokenRefused (or KeysUnavailable) otherwise."""
        service_url = activity.get("serviceUrl")
        channel_id = activity.get("channelId")
        if not isinstance(service_url, str) or not isinstance(channel_id, str):
            raise TokenRefused("the activity has no serviceUrl or channelId")
        if self._clock() < self._unavailable_until:
            raise KeysUnavailable()
        loop = asyncio.get_running_loop()
        check = loop.run_in_executor(
            self._threads, self._check, f"Bearer {token}", service_url, channel_id
        )
        try:
            identity = await asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS)
        except (requests.RequestException, asyncio.TimeoutError, *MALFORMED_KEYS) as error:
            # The SDK keeps whatever key set it fetched for a day, a broken one too: drop it,
            # so the check after the back-off fetches the keys again.
            JwtTokenExtractor.metadataCache.pop(ChannelValidation.open_id_metadata_endpoint, None)
            self._back_off = min(MAX_BACK_OFF_SECONDS, 2 * self._back_off or FIRST_BACK_OFF_SECONDS)
            self._unavailable_until = self._clock() + self._back_off
            logger.warning("could not get Bot Framework keys: %s", type(error).__name__)
            raise KeysUnavailable() from error
        except Exception as error:  # the SDK refuses with PermissionError, jwt errors and more
            raise TokenRefused(refusal_reason(error)) from error
        self._back_off = 0.0
        return identity.claims

    def _check(self, authorization: str, service_url: str, channel_id: str) -> ClaimsIdentity:
        return asyncio.run(
            ChannelValidation.authenticate_channel_token_with_service_url(
                authorization, self._credentials, service_url, channel_id
            )
        )


def refusal_reason(error: Exception) -> str:
    """What the SDK said, for the log and the 401 body (never the token itself)."""
    if isinstance(error, IndexError):
        # The SDK looks the token's key id up in Microsoft's list with `[...][0]`.
        return "the token is signed by a key Microsoft does not list"
    said = " ".join(str(part) for part in error.args if isinstance(part, str)).strip()
    return f"{type(error).__name__}: {said}" if said else type(error).__name__


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
