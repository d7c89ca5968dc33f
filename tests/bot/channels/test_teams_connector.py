"""Rasa's Bot Framework connector as set up here: replies to the serviceUrl, with a token."""

from __future__ import annotations

from types import SimpleNamespace

from actions.handout import handout_for_test, page_payload
from bot.channels.teams.auth import ReplyTokens
from bot.channels.teams.connector import MENTION, TeamsConnector, TeamsOutput
from content.schema import load_content
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


async def test_handout_is_an_adaptive_card_with_title_words_and_source(bot_framework):
    content = load_content()
    page = page_payload(content, handout_for_test(content, "bone_scan"))
    activity = bot_framework.activity("handout bone scan")
    await output(bot_framework, activity).send_custom_json("29:nurse-1", {"handout": page})
    [reply] = replies_to(bot_framework, activity)
    [card] = reply.body["attachments"]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard" and card["content"]["version"] == "1.4"
    body = card["content"]["body"]
    assert {block["type"] for block in body} == {"TextBlock"}
    assert all(block["wrap"] for block in body)
    assert body[0]["text"] == "Bone scan" and body[0]["weight"] == "Bolder"
    texts = [block["text"] for block in body]
    assert "What it can miss" in texts
    assert any(text.startswith("**blastic** (BLAS-tik): ") for text in texts)
    assert "May 2, 2016" in texts[-1]
    assert reply.body["replyToId"] == activity["id"]


def test_metadata_names_the_teams_user_who_wrote(bot_framework):
    activity = bot_framework.activity("hi", user="29:nurse-7")
    connector = TeamsConnector(TEAMS_APP_ID, None, None)
    metadata = connector.get_metadata(SimpleNamespace(json=activity))
    assert metadata == {"chat_app": "teams", "chat_user": "29:nurse-7"}
