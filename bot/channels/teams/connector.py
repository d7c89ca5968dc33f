"""Rasa's Bot Framework connector (Microsoft Teams), set up from the environment.

Changes to Rasa's BotFrameworkInput / BotFramework, each for a reason:
- settings come from the environment (credentials.yml only names this class); with no app id
  the connector stays off instead of stopping Rasa from starting;
- Rasa's version fetches Microsoft's keys with a blocking call when it starts (so it cannot
  start offline) and checks neither the issuer nor the serviceUrl; this one uses the
  gateway's verifier, with the metadata URL as a setting;
- replies carry a token from the token URL setting, are posted without blocking Rasa's event
  loop, as a reply to the activity (so they land in its thread), in one Markdown message;
- buttons are `messageBack` card actions: the payload goes to the bot, the title to the chat;
- a patient handout (custom payload `handout`) is an Adaptive Card;
- the metadata says which Teams user wrote (the session start greets nurses once a day).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx
from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.teams.auth import (
    HTTP_TIMEOUT_SECONDS,
    IncomingTokenVerifier,
    KeysUnavailable,
    ReplyTokens,
    ReplyTokenUnavailable,
    TokenRefused,
    bearer_token,
)
from bot.channels.teams.cards import handout_card
from settings.bot import get_settings

logger = logging.getLogger(__name__)

# Teams puts "<at>Bot name</at>" in the text when someone mentions the bot in a channel.
MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE)


class TeamsOutput(BotFramework):
    def __init__(self, activity: dict[str, Any], app_id: str, tokens: ReplyTokens) -> None:
        super().__init__(
            app_id, "", activity["conversation"], activity["recipient"], activity["serviceUrl"]
        )
        self.reply_to_id = activity.get("id")
        self.tokens = tokens

    def prepare_message(self, recipient_id: str, message_data: dict[str, Any]) -> dict[str, Any]:
        message = super().prepare_message(recipient_id, message_data)
        if self.reply_to_id:
            message["replyToId"] = self.reply_to_id
        return message

    async def send(self, message_data: dict[str, Any]) -> None:
        url = f"{self.global_uri}conversations/{quote(self.conversation['id'], safe='')}/activities"
        if self.reply_to_id:
            url += f"/{quote(self.reply_to_id, safe='')}"
        try:
            token = await self.tokens.token()
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
                sent = await http.post(
                    url, json=message_data, headers={"Authorization": f"Bearer {token}"}
                )
        except (ReplyTokenUnavailable, httpx.HTTPError) as error:
            logger.error("could not send a Teams reply: %s", error)
            return
        if not sent.is_success:
            logger.error("the Bot Connector refused a Teams reply: %s", sent.status_code)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send(
            self.prepare_message(recipient_id, {"text": text, "textFormat": "markdown"})
        )

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        actions = [
            {
                "type": "messageBack",
                "title": button["title"],
                "text": button["payload"],
                "displayText": button["title"],
            }
            for button in buttons
        ]
        card = {
            "contentType": "application/vnd.microsoft.card.hero",
            "content": {"text": text, "buttons": actions},
        }
        await self.send(self.prepare_message(recipient_id, {"attachments": [card]}))

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        page = json_message.get("handout")
        if page is None:
            await super().send_custom_json(recipient_id, json_message, **kwargs)
            return
        message = {"attachments": [handout_card(page)]}
        await self.send(self.prepare_message(recipient_id, message))


class TeamsConnector(BotFrameworkInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        settings = get_settings()
        verifier = tokens = None
        if settings.teams_app_id:
            verifier = IncomingTokenVerifier(
                settings.teams_app_id,
                settings.teams_openid_metadata_url,
            )
            tokens = ReplyTokens(
                settings.teams_oauth_url,
                settings.teams_app_id,
                settings.teams_app_password.get_secret_value(),
            )
        else:
            logger.info("Teams is off: TEAMS_APP_ID is not set")
        return cls(settings.teams_app_id, verifier, tokens)

    def __init__(
        self, app_id: str, verifier: IncomingTokenVerifier | None, tokens: ReplyTokens | None
    ) -> None:
        # Not calling BotFrameworkInput.__init__: it fetches Microsoft's keys right away.
        self.app_id = app_id
        self.verifier = verifier
        self.tokens = tokens
        self._background_tasks: set[asyncio.Task] = set()

    def get_metadata(self, request: Request) -> dict[str, Any]:
        """Who wrote, so the session start knows a nurse in Teams (actions/chat_app_welcome.py)."""
        sender = ((request.json or {}).get("from") or {}).get("id")
        return {"chat_app": "teams", "chat_user": sender}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("botframework_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.verifier else "off"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.verifier is None or self.tokens is None:
                return response.text("Teams is off.", status=HTTPStatus.SERVICE_UNAVAILABLE)
            activity = request.json
            if not isinstance(activity, dict):
                return response.text("Not an activity.", status=HTTPStatus.BAD_REQUEST)
            try:
                await self.verifier.verify(
                    bearer_token(request.headers.get("Authorization")), activity
                )
            except TokenRefused as refused:
                logger.info("Teams request refused: %s", refused.reason)
                return response.text("Unauthorized.", status=HTTPStatus.UNAUTHORIZED)
            except KeysUnavailable:
                return response.text("Keys unavailable.", status=HTTPStatus.SERVICE_UNAVAILABLE)
            if activity.get("type") != "message" or not activity.get("text"):
                return response.text("", status=HTTPStatus.OK)
            message = UserMessage(
                text=MENTION.sub("", activity["text"]).strip(),
                output_channel=TeamsOutput(activity, self.app_id, self.tokens),
                sender_id=activity["from"]["id"],
                input_channel=self.name(),
                metadata=self.add_attachments_to_metadata(activity, self.get_metadata(request)),
            )
            # Answer in the background: the gateway should not hold a connection per message.
            task = asyncio.create_task(on_new_message(message))
            self._background_tasks.add(task)
            task.add_done_callback(self._background_tasks.discard)
            return response.text("", status=HTTPStatus.OK)

        return webhook
