"""Rasa's Slack connector, set up from the environment and fitted to this assistant.

Changes to Rasa's SlackInput / SlackBot, each for a reason:
- settings come from the environment (credentials.yml only names this class), and with no
  signing secret the connector stays off instead of stopping Rasa from starting;
- the signature check is the gateway's (one implementation, same five-minute window);
- answers go in the thread of a channel mention or of a threaded DM, and at the top of a DM
  otherwise, each conversation keyed by user, channel and thread;
- the Web API base URL is a setting (tests use a local stand-in);
- each answer is one message with a Block Kit `markdown` block (a handout stays in one piece),
  buttons are a Block Kit `actions` block, and `as_user` is never sent: Slack refuses it from
  apps with granular bot scopes.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.signature import SlackRequestRefused, check_signature
from settings.bot import get_settings

logger = logging.getLogger(__name__)

BUTTON_TITLE_MAX = 75  # Block Kit's limit for a button's text


def markdown_block(text: str) -> dict[str, Any]:
    return {"type": "markdown", "text": text}


def actions_block(buttons: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": f"button_{number}",
                "text": {"type": "plain_text", "text": button["title"][:BUTTON_TITLE_MAX]},
                "value": button["payload"],
            }
            for number, button in enumerate(buttons)
        ],
    }


class SlackOutput(SlackBot):
    def __init__(
        self,
        token: str,
        api_base_url: str,
        slack_channel: str | None = None,
        thread_id: str | None = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id)
        self.client = AsyncWebClient(token, base_url=api_base_url)

    async def _post_message(self, channel: str, **kwargs: Any) -> None:
        kwargs.pop("as_user", None)
        await super()._post_message(channel, **kwargs)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._post_message(
            channel=self.slack_channel or recipient_id, text=text, blocks=[markdown_block(text)]
        )

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._post_message(
            channel=self.slack_channel or recipient_id,
            text=text,
            blocks=[markdown_block(text), actions_block(buttons)],
        )


class SlackConnector(SlackInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        settings = get_settings()
        return cls(
            slack_token=settings.slack_bot_token.get_secret_value(),
            slack_retry_reason_header="x-slack-retry-reason",
            slack_retry_number_header="x-slack-retry-num",
            use_threads=True,
            slack_signing_secret=settings.slack_signing_secret.get_secret_value(),
            conversation_granularity="thread",
            api_base_url=settings.slack_api_base_url,
        )

    def __init__(self, *args: Any, api_base_url: str, **kwargs: Any) -> None:
        self.api_base_url = api_base_url
        super().__init__(*args, **kwargs)

    def _validate_credentials(self) -> None:
        if not self.slack_signing_secret:
            logger.info("Slack is off: SLACK_SIGNING_SECRET is not set")

    def is_request_from_slack_authentic(self, request: Request) -> bool:
        if not self.slack_signing_secret:
            return False
        try:
            check_signature(
                self.slack_signing_secret,
                request.headers.get("X-Slack-Request-Timestamp"),
                request.headers.get("X-Slack-Signature"),
                request.body,
            )
        except SlackRequestRefused as refused:
            logger.info("Slack request refused: %s", refused.reason)
            return False
        return True

    def get_metadata(self, request: Request) -> dict[str, Any]:
        metadata = super().get_metadata(request)
        # Slack's DM channel ids start with "D". At a DM's top level the answer goes right
        # below the question, like a chat; elsewhere it goes in the question's thread.
        in_dm = str(metadata.get("out_channel") or "").startswith("D")
        if in_dm and not _slack_message(request).get("thread_ts"):
            metadata["thread_id"] = None
        return metadata

    def get_output_channel(
        self, channel: str | None = None, thread_id: str | None = None
    ) -> OutputChannel:
        return SlackOutput(
            self.slack_token, self.api_base_url, channel or self.slack_channel, thread_id
        )


def _slack_message(request: Request) -> dict[str, Any]:
    """The message an event is about: the event itself, or the message a button was on."""
    if request.headers.get("content-type") == "application/x-www-form-urlencoded":
        return json.loads(request.form["payload"][0]).get("message", {})
    return (request.json or {}).get("event", {})
