"""Teams tokens: the checks on incoming ones, and the bot's own token for replies."""

from __future__ import annotations

import jwt
import pytest

from bot.channels.teams.auth import (
    IncomingTokenVerifier,
    ReplyTokens,
    ReplyTokenUnavailable,
    TokenRefused,
)
from tests.bot.channels.standins import TEAMS_APP_ID, TEAMS_ISSUER, SigningKeyPair


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
    checker = verifier(bot_framework)
    await checker.verify(bot_framework.token(), bot_framework.activity("hi"))
    old_key = bot_framework.key
    bot_framework.key = SigningKeyPair.new()
    try:
        # Right after a fetch, an unknown key id does not trigger another one...
        with pytest.raises(TokenRefused, match="unknown key"):
            await checker.verify(bot_framework.token(), bot_framework.activity("hi"))
        checker._fetched_at -= 120  # ...a couple of minutes later it does.
        await checker.verify(bot_framework.token(), bot_framework.activity("hi"))
    finally:
        bot_framework.key = old_key


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
