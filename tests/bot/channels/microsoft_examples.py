"""Examples from Microsoft's documentation, kept as published, for the Bot Framework stand-in.

Each one says where it comes from. When a test uses one, it replaces only what must point at
the local stand-in (a serviceUrl, a jwks_uri) or what the test asks (a message's text), never a
field name or a shape.
"""

from __future__ import annotations

import copy
from typing import Any

# "Authentication with the Bot Connector API", step 2: the OpenID metadata document.
# MicrosoftDocs/bot-docs, articles/rest-api/bot-framework-rest-connector-authentication.md
OPENID_METADATA: dict[str, Any] = {
    "issuer": "https://api.botframework.com",
    "authorization_endpoint": "https://invalid.botframework.com",
    "jwks_uri": "https://login.botframework.com/v1/.well-known/keys",
    "id_token_signing_alg_values_supported": ["RS256"],
    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
}

# Same page, "Connector to Bot: example JWT components". The `aud` placeholder is the bot's
# Microsoft App ID; `x5t` and `kid` are the signing key's id.
CONNECTOR_TO_BOT_TOKEN_HEADER: dict[str, Any] = {
    "typ": "JWT",
    "alg": "RS256",
    "x5t": "<SIGNING KEY ID>",
    "kid": "<SIGNING KEY ID>",
}
CONNECTOR_TO_BOT_TOKEN_PAYLOAD: dict[str, Any] = {
    "aud": "<YOU MICROSOFT APP ID>",
    "iss": "https://api.botframework.com",
    "nbf": 1481049243,
    "exp": 1481053143,
}

# Microsoft Teams developer documentation, "Full inbound Schema example (bot in a channel)"
# (MicrosoftDocs/msteams-docs, bots in channel conversations): a message that mentions the bot
# in a team channel, as the Bot Connector delivers it.
TEAMS_CHANNEL_MESSAGE: dict[str, Any] = {
    "type": "message",
    "id": "1485983408511",
    "timestamp": "2017-02-01T21:10:07.437Z",
    "serviceUrl": "https://smba.trafficmanager.net/amer-client-ss.msg/",
    "channelId": "msteams",
    "from": {
        "id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-"
        "NJWi7me2kHTL3Bw",
        "name": "Richard Moe",
    },
    "conversation": {
        "id": "19:253b1f341670408fb6fe51050b6e6ceb@thread.skype;messageid=1485983194839"
    },
    "recipient": {"id": "28:c9e8c047-2a74-40a2-b28b-b262d5f5327c", "name": "Teams TestBot"},
    "textFormat": "plain",
    "text": "<at>Teams TestBot</at> Hello <at>Jingjing Xia</at>",
    "attachments": [
        {
            "contentType": "text/html",
            "content": '<div><span contenteditable="false" itemscope="" '
            'itemtype="http://schema.skype.com/Mention" itemid="0">Teams TestBot</span> Hello '
            '<span contenteditable="false" itemscope="" '
            'itemtype="http://schema.skype.com/Mention" itemid="1">Jingjing Xia</span></div>',
        }
    ],
    "entities": [
        {
            "type": "mention",
            "mentioned": {"id": "28:c9e8c047-2a74-40a2-b28b-b262d5f5327c", "name": "Teams TestBot"},
            "text": "<at>Teams TestBot</at>",
        },
        {
            "type": "mention",
            "mentioned": {
                "id": "29:1jnFbZYs0qXMLH-O4S9-sDLNc3NVEIMWWnC-q0tVdEa-8BRosfojI35QdNoB-"
                "yW8iutWLJzHUm_mqEZSSU8si0Q",
                "name": "Jingjing Xia",
            },
            "text": "<at>Jingjing Xia</at>",
        },
        {"type": "clientInfo", "locale": "en-US", "country": "US", "platform": "Windows"},
    ],
    "channelData": {
        "teamsChannelId": "19:253b1f352670408fb6fe51050b6e5ceb@thread.skype",
        "teamsTeamId": "19:712c61d0ef393e5fa681ba90ca943398@thread.skype",
        "channel": {"id": "19:253b1f352670408fb6fe51050b6e5ceb@thread.skype"},
        "team": {"id": "19:712c61d0ef393e5fa681ba90ca943398@thread.skype"},
        "onBehalfOf": "[]",
        "tenant": {"id": "72f988bf-86f1-41af-91ab-2d7cd011db47"},
    },
}


def teams_channel_message(service_url: str, question: str, thread: str) -> dict[str, Any]:
    """The documented channel message, sent to `service_url`, asking `question` after the
    bot's mention (instead of greeting a colleague: that mention and the HTML copy of the
    text go), in its own reply chain `thread` (so tests do not share a conversation)."""
    activity = copy.deepcopy(TEAMS_CHANNEL_MESSAGE)
    bot_mention = activity["entities"][0]["text"]
    activity["serviceUrl"] = service_url
    activity["text"] = f"{bot_mention} {question}"
    activity["entities"] = [activity["entities"][0], activity["entities"][2]]
    del activity["attachments"]  # the HTML copy of the example's own text
    channel = activity["channelData"]["channel"]["id"]
    activity["conversation"]["id"] = f"{channel};messageid={thread}"
    activity["id"] = thread
    return activity
