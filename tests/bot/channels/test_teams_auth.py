"""Teams tokens: the checks on incoming ones, and the bot's own token for replies."""

from __future__ import annotations

import asyncio
import time

import httpx
import jwt
import pytest
from jwt.algorithms import RSAAlgorithm

from bot.channels.teams.auth import (
    IncomingTokenVerifier,
    KeysUnavailable,
    ReplyTokens,
    ReplyTokenUnavailable,
    TokenRefused,
)
from tests.bot.channels.standins import TEAMS_APP_ID, TEAMS_CHANNEL, TEAMS_ISSUER, SigningKeyPair


def verifier(bot_framework) -> IncomingTokenVerifier:
    return IncomingTokenVerifier(TEAMS_APP_ID, bot_framework.metadata_url, TEAMS_ISSUER)


async def test_valid_token_gives_its_claims(bot_framework):
    claims = await verifier(bot_framework).verify(
        bot_framework.token(), bot_framework.activity("hi")
    )
    assert claims["aud"] == TEAMS_APP_ID


async def test_token_from_a_key_not_endorsed_for_the_channel_is_refused(bot_framework):
    activity = bot_framework.activity("hi", channelId="skype")
    with pytest.raises(TokenRefused, match="endorsed"):
        await verifier(bot_framework).verify(bot_framework.token(), activity)


async def test_token_not_signed_with_rs256_is_refused(bot_framework):
    forged = jwt.encode({"aud": TEAMS_APP_ID}, "shared-secret-guess-long-enough-for-hs256")
    with pytest.raises(TokenRefused, match="RS256"):
        await verifier(bot_framework).verify(forged, bot_framework.activity("hi"))


async def test_new_signing_key_is_picked_up_when_microsoft_rotates_keys(bot_framework):
    clock = Clock()
    checker = IncomingTokenVerifier(
        TEAMS_APP_ID, bot_framework.metadata_url, TEAMS_ISSUER, clock=clock
    )
    await checker.verify(bot_framework.token(), bot_framework.activity("hi"))
    old_key = bot_framework.key
    bot_framework.key = SigningKeyPair.new()
    try:
        # Right after a fetch, an unknown key id does not trigger another one...
        with pytest.raises(TokenRefused, match="unknown key"):
            await checker.verify(bot_framework.token(), bot_framework.activity("hi"))
        clock.now += 120  # ...a couple of minutes later it does.
        await checker.verify(bot_framework.token(), bot_framework.activity("hi"))
    finally:
        bot_framework.key = old_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class KeyServer:
    """Microsoft's OpenID metadata and key set, as an httpx transport: it counts the fetches
    and can be down (after a delay, as a slow network is), or serve a broken document."""

    def __init__(self, bot_framework) -> None:
        self.bot_framework = bot_framework
        self.up = True
        self.delay = 0.0
        self.fetches = 0
        self.metadata: object = {"issuer": TEAMS_ISSUER, "jwks_uri": "https://keys.test/keys"}
        self.keys: object = None

    async def handler(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(self.delay)
        if request.url.path == "/openid":
            self.fetches += 1
            if not self.up:
                raise httpx.ConnectError("unreachable")
            return httpx.Response(200, json=self.metadata)
        keys = self.keys or {"keys": [self.bot_framework.key.jwk([TEAMS_CHANNEL])]}
        return httpx.Response(200, json=keys)

    def verifier(self, clock: Clock) -> IncomingTokenVerifier:
        return IncomingTokenVerifier(
            TEAMS_APP_ID,
            "https://keys.test/openid",
            TEAMS_ISSUER,
            transport=httpx.MockTransport(self.handler),
            clock=clock,
        )


@pytest.fixture
def key_server(bot_framework) -> KeyServer:
    return KeyServer(bot_framework)


async def test_unreachable_keys_are_not_fetched_again_on_every_request(key_server, bot_framework):
    key_server.up, key_server.delay = False, 0.5
    checker = key_server.verifier(Clock())
    began = time.monotonic()
    for _ in range(5):
        with pytest.raises(KeysUnavailable):
            await checker.verify(bot_framework.token(), bot_framework.activity("hi"))
    assert key_server.fetches == 1
    assert time.monotonic() - began < 1.0  # one slow fetch, then four answers at once


async def test_keys_are_fetched_again_after_a_back_off_that_doubles(key_server, bot_framework):
    clock = Clock()
    key_server.up = False
    checker = key_server.verifier(clock)
    for wait, fetches in [(0, 1), (1.9, 1), (0.2, 2), (3.9, 2), (0.2, 3)]:
        clock.now += wait
        with pytest.raises(KeysUnavailable):
            await checker.verify(bot_framework.token(), bot_framework.activity("hi"))
        assert key_server.fetches == fetches
    key_server.up = True
    clock.now += 8.1
    await checker.verify(bot_framework.token(), bot_framework.activity("hi"))
    assert key_server.fetches == 4


async def test_cached_keys_serve_through_an_outage_then_expire(key_server, bot_framework):
    clock = Clock()
    checker = key_server.verifier(clock)
    await checker.verify(bot_framework.token(), bot_framework.activity("hi"))
    key_server.up = False
    clock.now += 2 * 24 * 3600  # due for a refresh that fails: the cached keys still serve
    await checker.verify(bot_framework.token(), bot_framework.activity("hi"))
    clock.now += 3 * 24 * 3600 + 1  # five days without a refresh: no longer trusted
    with pytest.raises(KeysUnavailable):
        await checker.verify(bot_framework.token(), bot_framework.activity("hi"))


@pytest.mark.parametrize(
    ("metadata", "keys"),
    [
        (["not", "an", "object"], None),
        ({"issuer": TEAMS_ISSUER}, None),
        ({"jwks_uri": 42}, None),
        (None, {"keys": "abc"}),
        (None, {"keys": [1, "two", None]}),
        (None, {"keys": [{"kid": "k1", "kty": "RSA", "n": 5, "e": "AQAB"}]}),
        (None, {"keys": [{"kid": "k1", "kty": "EC", "endorsements": ["msteams"]}]}),
        (None, {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}),
        (None, {"keys": []}),
        (None, ["keys"]),
    ],
)
async def test_malformed_metadata_or_key_set_makes_keys_unavailable(
    key_server, bot_framework, metadata, keys
):
    if metadata is not None:
        key_server.metadata = metadata
    key_server.keys = keys
    with pytest.raises(KeysUnavailable):
        await key_server.verifier(Clock()).verify(
            bot_framework.token(), bot_framework.activity("hi")
        )


async def test_private_key_in_the_key_set_is_not_used_to_check_tokens(key_server, bot_framework):
    private_jwk = RSAAlgorithm.to_jwk(bot_framework.key.private, as_dict=True)
    key_server.keys = {"keys": [{**private_jwk, "kid": bot_framework.key.kid}]}
    with pytest.raises(KeysUnavailable):
        await key_server.verifier(Clock()).verify(
            bot_framework.token(), bot_framework.activity("hi")
        )


async def test_reply_token_is_fetched_once_and_reused(bot_framework):
    tokens = ReplyTokens(bot_framework.token_url, TEAMS_APP_ID, "app-password-from-azure")
    before = len(bot_framework.posted("/oauth2/token"))
    assert await tokens.token() == bot_framework.reply_token
    assert await tokens.token() == bot_framework.reply_token
    [request] = bot_framework.posted("/oauth2/token")[before:]
    assert request.body["grant_type"] == "client_credentials"
    assert request.body["client_id"] == TEAMS_APP_ID
    assert request.body["scope"] == "https://api.botframework.com/.default"


async def test_unreachable_token_endpoint_raises_reply_token_unavailable():
    tokens = ReplyTokens("http://127.0.0.1:9/token", TEAMS_APP_ID, "app-password-from-azure")
    with pytest.raises(ReplyTokenUnavailable):
        await tokens.token()
