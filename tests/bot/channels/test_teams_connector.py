"""Rasa's Bot Framework connector as set up here: replies to the serviceUrl, with a token."""

from __future__ import annotations

from bot.channels.teams.auth import ReplyTokens
from bot.channels.teams.connector import MENTION, TeamsOutput
from tests.bot.channels.standins import TEAMS_APP_ID


def output(bot_framework, activity) -> TeamsOutput:
    tokens = ReplyTokens(bot_framework.token_url, TEAMS_APP_ID, "app-password-from-azure")
    return TeamsOutput(activity, TEAMS_APP_ID, tokens)


def replies_to(bot_framework, activity) -> list:
    return [r for r in bot_framework.replies() if activity["conversation"]["id"] in r.path]


async def test_reply_goes_to_the_service_url_as_an_answer_to_the_activity(bot_framework):
    activity = bot_framework.activity("what is a bone scan")
    await output(bot_framework, activity).send_text_message(
        activity["from"]["id"], "# Bone scan\n\nOne.\n\nTwo."
    )
    [reply] = replies_to(bot_framework, activity)
    assert reply.path.endswith(f"/activities/{activity['id']}")
    assert reply.headers["Authorization"] == f"Bearer {bot_framework.reply_token}"
    assert reply.body["replyToId"] == activity["id"]
    assert reply.body["text"] == "# Bone scan\n\nOne.\n\nTwo."
    assert reply.body["textFormat"] == "markdown"
    assert reply.body["from"] == activity["recipient"]


async def test_buttons_are_message_back_actions_that_send_the_payload(bot_framework):
    activity = bot_framework.activity("hi")
    button = {"title": "What is a bone scan?", "payload": '/ask_what_is{"test": "bone_scan"}'}
    await output(bot_framework, activity).send_text_with_buttons("29:nurse-1", "Hello!", [button])
    [reply] = replies_to(bot_framework, activity)
    [card] = reply.body["attachments"]
    assert card["content"]["text"] == "Hello!"
    assert card["content"]["buttons"] == [
        {
            "type": "messageBack",
            "title": "What is a bone scan?",
            "text": '/ask_what_is{"test": "bone_scan"}',
            "displayText": "What is a bone scan?",
        }
    ]


def test_mention_of_the_bot_is_taken_out_of_the_text():
    assert MENTION.sub("", "<at>Bone mets guide</at> what is an MRI").strip() == "what is an MRI"
