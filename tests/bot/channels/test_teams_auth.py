"""Teams tokens: Microsoft's checks on incoming ones, and the bot's own token for replies.

The tokens are made as the Bot Connector makes them (claim names from Microsoft's SDK, header
and example values from Microsoft's documentation), not as this project's code reads them.
"""

from __future__ import annotations

from collections.abc import Iterator

import jwt
import pytest

from bot.channels.teams.auth import (
    IncomingTokenVerifier,
    KeysUnavailable,
    ReplyTokens,
    ReplyTokenUnavailable,
    TokenRefused,
)
from tests.bot.channels.microsoft_examples import CONNECTOR_TO_BOT_TOKEN_PAYLOAD
from tests.bot.channels.standins import TEAMS_APP_ID, BotFramework, SigningKeyPair


def verifier(bot_framework) -> IncomingTokenVerifier:
    return IncomingTokenVerifier(TEAMS_APP_ID, bot_framework.metadata_url)


async def test_token_signed_as_the_bot_connector_signs_it_gives_its_claims(bot_framework):
    token = bot_framework.token()
    claims = await verifier(bot_framework).verify(token, bot_framework.activity("hi"))
    assert claims["aud"] == TEAMS_APP_ID
    # The Bot Connector's spelling, which the project's first verifier did not read.
    assert claims["serviceurl"] == bot_framework.service_url
    assert jwt.get_unverified_header(token)["x5t"] == bot_framework.key.kid


async def test_token_vouching_for_the_service_url_only_as_serviceUrl_is_refused(bot_framework):
    # What the project's own stand-in used to sign, and no Bot Connector token carries.
    token = bot_framework.token(service_url_claim="serviceUrl")
    with pytest.raises(TokenRefused, match="service_url claim"):
        await verifier(bot_framework).verify(token, bot_framework.activity("hi"))


async def test_microsofts_documented_example_token_is_refused_as_long_expired(bot_framework):
    token = bot_framework.documented_example_token()
    assert (
        jwt.decode(token, options={"verify_signature": False})["exp"]
        == (CONNECTOR_TO_BOT_TOKEN_PAYLOAD["exp"])
    )
    with pytest.raises(TokenRefused, match="expired"):
        await verifier(bot_framework).verify(token, bot_framework.activity("hi"))


async def test_token_for_another_service_url_is_refused(bot_framework):
    token = bot_framework.token(service_url="https://attacker.example.org/")
    with pytest.raises(TokenRefused, match="service_url claim"):
        await verifier(bot_framework).verify(token, bot_framework.activity("hi"))


async def test_token_from_a_key_not_endorsed_for_the_channel_is_refused(bot_framework):
    activity = bot_framework.activity("hi", channelId="skype")
    with pytest.raises(TokenRefused, match="endorsement"):
        await verifier(bot_framework).verify(bot_framework.token(), activity)


async def test_token_signed_by_a_key_microsoft_does_not_list_is_refused(bot_framework):
    token = bot_framework.token(key=SigningKeyPair.new())
    with pytest.raises(TokenRefused, match="key Microsoft does not list"):
        await verifier(bot_framework).verify(token, bot_framework.activity("hi"))


async def test_token_not_signed_with_the_bot_connectors_key_and_algorithm_is_refused(
    bot_framework,
):
    claims = jwt.decode(bot_framework.token(), options={"verify_signature": False})
    header = {"kid": bot_framework.key.kid}
    forged = jwt.encode(claims, "shared-secret-guess-long-enough-for-hs256", headers=header)
    with pytest.raises(TokenRefused):
        await verifier(bot_framework).verify(forged, bot_framework.activity("hi"))


async def test_activity_without_a_service_url_is_refused_before_any_check(bot_framework):
    activity = bot_framework.activity("hi")
    del activity["serviceUrl"]
    with pytest.raises(TokenRefused, match="serviceUrl"):
        await verifier(bot_framework).verify(bot_framework.token(), activity)


async def test_keys_are_fetched_once_not_for_every_activity(bot_framework):
    checker = verifier(bot_framework)
    await checker.verify(bot_framework.token(), bot_framework.activity("hi"))
    fetched = len(bot_framework.requested("/keys"))
    for _ in range(3):
        await checker.verify(bot_framework.token(), bot_framework.activity("hi"))
    assert fetched >= 1
    assert len(bot_framework.requested("/keys")) == fetched


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


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fresh_bot_framework() -> Iterator[BotFramework]:
    """Microsoft's side on a port of its own: the SDK caches keys per metadata URL, so a key
    set served broken here is really fetched."""
    standin = BotFramework().start()
    yield standin
    standin.stop()


@pytest.mark.parametrize(
    "keys_document",
    [{"keys": "abc"}, {"keys": [1, "two", None]}, ["keys"], {"no": "keys"}],
    ids=["keys-not-a-list", "keys-not-objects", "not-an-object", "no-keys"],
)
async def test_a_key_set_the_sdk_cannot_read_makes_keys_unavailable(
    fresh_bot_framework, keys_document
):
    fresh_bot_framework.keys_document = keys_document
    checker = IncomingTokenVerifier(TEAMS_APP_ID, fresh_bot_framework.metadata_url, Clock())
    with pytest.raises(KeysUnavailable):
        await checker.verify(fresh_bot_framework.token(), fresh_bot_framework.activity("hi"))


async def test_after_keys_were_unavailable_checks_back_off_before_asking_again(
    fresh_bot_framework,
):
    clock = Clock()
    checker = IncomingTokenVerifier(TEAMS_APP_ID, fresh_bot_framework.metadata_url, clock)
    fresh_bot_framework.keys_document = {"keys": "broken"}
    token, activity = fresh_bot_framework.token(), fresh_bot_framework.activity("hi")
    with pytest.raises(KeysUnavailable):
        await checker.verify(token, activity)
    fresh_bot_framework.keys_document = None  # Microsoft is fine again...
    clock.now += 1.9  # ...but within the 2 s back-off nobody asks it
    with pytest.raises(KeysUnavailable):
        await checker.verify(token, activity)
    clock.now += 0.2
    assert (await checker.verify(token, activity))["aud"] == TEAMS_APP_ID
