"""Rasa's Slack connector, set up from the environment and fitted to this assistant.

Changes to Rasa's SlackInput / SlackBot, each for a reason:
- settings come from the environment (credentials.yml only names this class), and with no
  signing secret the connector stays off instead of stopping Rasa from starting;
- the signature check is the gateway's (one implementation, same five-minute window);
- answers go in the thread of a channel mention or of a threaded DM, and at the top of a DM
  otherwise, each conversation keyed by user, channel and thread;
- the Web API base URL is a setting (tests use a local stand-in);
- each answer is one message with a Block Kit `markdown` block, buttons are a Block Kit
  `actions` block, and `as_user` is never sent: Slack refuses it from apps with granular bot
  scopes;
- a patient handout (custom payload `handout`) is Block Kit plus the page as a Markdown file
  (Slack's upload flow: files.getUploadURLExternal, the upload, files.completeUploadExternal);
- the metadata says which Slack user wrote (the session start greets nurses once a day);
- a click on a nurse alert's "I'll call" or "Done" becomes the message
  `/nurse_alert_follow_up` with the alert, step and nurse in its metadata, for the action
  server to record (actions/nurse_follow_up.py);
- the slash command `/bonemets <question>` (relayed by the gateway to `/command`) is answered
  only to the nurse who typed it, through the command's response_url, so the bot need not be
  a member of the channel; so are clicks on the buttons of those answers.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.channels.slack.blocks import actions_block, handout_blocks, markdown_block
from bot.channels.slack.signature import SlackRequestRefused, check_signature
from settings.bot import get_settings

logger = logging.getLogger(__name__)

NURSE_ALERT_INTENT = "nurse_alert_follow_up"
# The action_ids of a nurse alert's buttons (actions/clients/alert_follow_up.py) and the step
# each one records.
NURSE_ALERT_STEPS = {"nurse_alert_claim": "claim", "nurse_alert_done": "done"}
# An empty `/bonemets` asks what the assistant can do.
EMPTY_COMMAND_TEXT = "help"


def slack_error(error: SlackClientError) -> str:
    """Slack's error code, safe to log (never the message's content)."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return type(error).__name__


async def upload_handout(
    client: AsyncWebClient, page: dict[str, Any], channel: str, thread_ts: str | None
) -> None:
    """The handout as a Markdown file in the conversation, to download, print or attach."""
    try:
        await client.files_upload_v2(
            filename=page["filename"],
            content=page["markdown"],
            title=f"{page['title']}: patient handout",
            channel=channel,
            thread_ts=thread_ts,
        )
    except SlackClientError as error:
        logger.error("could not upload the handout file: %s", slack_error(error))


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

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        page = json_message.get("handout")
        if page is None:
            await super().send_custom_json(recipient_id, json_message, **kwargs)
            return
        channel = self.slack_channel or recipient_id
        await self._post_message(channel=channel, text=page["title"], blocks=handout_blocks(page))
        await upload_handout(self.client, page, channel, self.thread_id)


class SlackResponseUrlOutput(OutputChannel):
    """Answers only the nurse who used the slash command sees, through its response_url."""

    @classmethod
    def name(cls) -> str:
        return "slack"

    def __init__(self, response_url: str, token: str, api_base_url: str, user: str) -> None:
        self.webhook = AsyncWebhookClient(response_url)
        self.client = AsyncWebClient(token, base_url=api_base_url)
        self.user = user

    async def _respond(self, text: str, blocks: list[dict[str, Any]]) -> None:
        sent = await self.webhook.send(
            text=text, blocks=blocks, response_type="ephemeral", replace_original=False
        )
        if sent.status_code != HTTPStatus.OK:
            logger.error("Slack refused an answer to a slash command: %s", sent.status_code)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._respond(text, [markdown_block(text)])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._respond(text, [markdown_block(text), actions_block(buttons)])

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        page = json_message.get("handout")
        if page is None:
            return  # other payloads are for the web widget
        await self._respond(page["title"], handout_blocks(page))
        # A message only one person sees cannot carry a file: the file goes to the nurse's
        # direct messages with the app.
        try:
            opened = await self.client.conversations_open(users=self.user)
        except SlackClientError as error:
            logger.error("could not open a DM for the handout file: %s", slack_error(error))
            return
        await upload_handout(self.client, page, opened["channel"]["id"], None)


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

    @staticmethod
    def _get_interactive_response(action: dict[str, Any]) -> str | None:
        if action.get("action_id") in NURSE_ALERT_STEPS:
            return f"/{NURSE_ALERT_INTENT}"
        return SlackInput._get_interactive_response(action)

    def get_metadata(self, request: Request) -> dict[str, Any]:
        metadata = super().get_metadata(request)
        interaction = _interaction(request)
        if interaction is None:
            event = (request.json or {}).get("event", {})
            message, user = event, event.get("user")
        else:
            message, user = interaction.get("message", {}), interaction.get("user", {}).get("id")
            metadata |= _click_metadata(interaction)
        metadata |= {"chat_app": "slack", "chat_user": user}
        # Slack's DM channel ids start with "D". At a DM's top level the answer goes right
        # below the question, like a chat; elsewhere it goes in the question's thread.
        in_dm = str(metadata.get("out_channel") or "").startswith("D")
        if in_dm and not message.get("thread_ts"):
            metadata["thread_id"] = None
        return metadata

    async def process_message(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender_id: str | None,
        metadata: dict[str, Any] | None,
    ) -> Any:
        response_url = (metadata or {}).get("response_url")
        if not response_url:
            return await super().process_message(request, on_new_message, text, sender_id, metadata)
        output = SlackResponseUrlOutput(
            response_url, self.slack_token, self.api_base_url, metadata["chat_user"]
        )
        message = UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata)
        # Held until done: the event loop keeps only weak references to tasks.
        task = asyncio.create_task(on_new_message(message))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)
        return response.text("")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.route("/command", methods=["POST"])
        async def command(request: Request) -> HTTPResponse:
            """A slash command, as Slack sends it: a signed form with the command's text."""
            if not self.is_request_from_slack_authentic(request):
                return response.text("Not signed by Slack.", status=HTTPStatus.UNAUTHORIZED)
            form = request.form
            user, channel = form.get("user_id"), form.get("channel_id")
            response_url = form.get("response_url")
            if not (user and channel and response_url):
                return response.text("Not a slash command.", status=HTTPStatus.BAD_REQUEST)
            metadata = {
                "out_channel": channel,
                "thread_id": None,
                "chat_app": "slack",
                "chat_user": user,
                "response_url": response_url,
            }
            text = (form.get("text") or "").strip() or EMPTY_COMMAND_TEXT
            conversation = self._get_conversation_id(user, channel, None)
            return await self.process_message(request, on_new_message, text, conversation, metadata)

        return webhook

    def get_output_channel(
        self, channel: str | None = None, thread_id: str | None = None
    ) -> OutputChannel:
        return SlackOutput(
            self.slack_token, self.api_base_url, channel or self.slack_channel, thread_id
        )


def _interaction(request: Request) -> dict[str, Any] | None:
    """A button click's payload (a form whose `payload` field holds JSON); None for events."""
    if request.headers.get("content-type") != "application/x-www-form-urlencoded":
        return None
    return json.loads(request.form["payload"][0])


def _click_metadata(interaction: dict[str, Any]) -> dict[str, Any]:
    """What the action server needs from a click: the alert it was on, or where to answer a
    click on an answer only the nurse sees (a slash command's)."""
    metadata: dict[str, Any] = {}
    action = (interaction.get("actions") or [{}])[0]
    step = NURSE_ALERT_STEPS.get(action.get("action_id"))
    if step:
        metadata["nurse_alert"] = {"id": action.get("value"), "step": step}
    if (interaction.get("container") or {}).get("is_ephemeral"):
        metadata["response_url"] = interaction.get("response_url")
    return metadata
