"""The conversation belongs to its browser and has an end: the widget keeps the gateway's token
beside its sender id, forgets the history after idle hours, and "End chat" deletes both sides."""

from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import BrowserContext, Request, Route, expect

from bot.supervisor.stack import Stack
from tests.widget.chat_requests import CHAT_ROUTE, ChatRequests
from tests.widget.chat_widget import ANSWER_TIMEOUT_MS, ChatWidget

pytestmark = pytest.mark.e2e

SENDER_KEY = "bonemets-widget:sender"
TOKEN_KEY = "bonemets-widget:token"
TRANSCRIPT_KEY = "bonemets-widget:transcript"

# A clinic page that keeps the history for one hour only.
ONE_HOUR_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Short history</title></head><body><main><h1>Short history</h1></main>
<script src="/widget.js" data-history-hours="1" defer></script></body></html>"""


def stored_events(stack: Stack, sender: str) -> int:
    """How many events of this conversation Rasa's tracker store holds."""
    with sqlite3.connect(stack.tracker_db) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[
            0
        ]


@pytest.mark.parametrize(
    ("path", "hours", "kept_for"),
    [("/", "12 hours", "11:59:00"), ("/short-history", "1 hour", "00:59:00")],
    ids=["default-12-hours", "data-history-hours-1"],
)
def test_history_is_forgotten_after_the_idle_limit(
    context: BrowserContext, stack: Stack, path: str, hours: str, kept_for: str
):
    context.clock.install()
    page = context.new_page()
    page.route(
        stack.url + "/short-history",
        lambda route: route.fulfill(body=ONE_HOUR_PAGE, content_type="text/html"),
    )
    widget = ChatWidget(page, stack.url)
    widget.visit(path)
    widget.open_fresh()
    widget.ask("what is a bone scan")
    sender = widget.stored(SENDER_KEY)

    page.clock.fast_forward(kept_for)
    expect(widget.user_messages).to_have_text(["what is a bone scan"])
    page.clock.fast_forward("00:02:00")
    # Gone from the open panel and from storage: the next person at this computer sees nothing.
    expect(widget.messages).to_have_count(0)
    expect(widget.notice).to_have_text(
        f"The earlier chat was cleared after {hours} without messages."
    )
    assert widget.stored(TRANSCRIPT_KEY) is None
    assert widget.stored(SENDER_KEY) is None

    page.reload()
    widget.open_fresh()
    expect(widget.user_messages).to_have_count(0)
    assert widget.stored(SENDER_KEY) not in (None, sender)


def test_history_is_kept_across_a_reload_within_the_idle_limit(
    context: BrowserContext, stack: Stack
):
    context.clock.install()
    widget = ChatWidget(context.new_page(), stack.url)
    widget.visit()
    widget.open_fresh()
    widget.ask("what is a bone scan")
    widget.page.clock.fast_forward("06:00:00")
    widget.page.reload()
    widget.open()
    expect(widget.user_messages).to_have_text(["what is a bone scan"])


def test_end_chat_deletes_the_conversation_in_the_browser_and_on_the_server(
    widget: ChatWidget, stack: Stack
):
    widget.visit()
    widget.open_fresh()
    widget.ask("what is a bone scan")
    sender = widget.stored(SENDER_KEY)
    assert stored_events(stack, sender) > 0

    widget.end_chat()
    expect(widget.notice).to_contain_text(
        "deleted from this browser and from our server", timeout=ANSWER_TIMEOUT_MS
    )
    expect(widget.messages).to_have_count(0)
    expect(widget.input).to_be_focused()
    assert widget.stored(TRANSCRIPT_KEY) is None
    assert widget.stored(SENDER_KEY) is None
    assert stored_events(stack, sender) == 0

    # The next question starts a new conversation: its answer, then what the assistant is.
    widget.send("what is an MRI")
    expect(widget.bot_messages.filter(has_text="radio waves")).to_have_count(
        1, timeout=ANSWER_TIMEOUT_MS
    )
    expect(widget.bot_messages.last).to_contain_text("not a doctor")
    assert widget.stored(SENDER_KEY) not in (None, sender)
    expect(widget.notice).to_be_hidden()


def test_keep_chatting_leaves_the_conversation_as_it_was(widget: ChatWidget, stack: Stack):
    widget.visit()
    widget.open_fresh()
    widget.ask("what is a bone scan")
    sender = widget.stored(SENDER_KEY)
    widget.panel.get_by_role("button", name="End chat", exact=True).click()
    expect(widget.panel.get_by_role("button", name="Yes, end chat")).to_be_focused()
    widget.panel.get_by_role("button", name="Keep chatting").click()
    expect(widget.panel.get_by_role("group", name="End this chat?")).to_be_hidden()
    expect(widget.user_messages).to_have_text(["what is a bone scan"])
    assert widget.stored(SENDER_KEY) == sender
    assert stored_events(stack, sender) > 0


def test_conversation_token_from_the_first_reply_goes_with_every_later_request(
    widget: ChatWidget, stack: Stack
):
    requests = ChatRequests(widget.page)
    issued: list[str | None] = []
    deletions: list[Request] = []
    widget.page.on(
        "response",
        lambda response: (
            issued.append(response.headers.get("x-conversation-token"))
            if response.request.method == "POST"
            else None
        ),
    )
    widget.page.on(
        "request", lambda request: deletions.append(request) if request.method == "DELETE" else None
    )
    widget.visit()
    widget.open_fresh()
    token = widget.stored(TOKEN_KEY)
    assert token and issued == [token]  # the gateway's, with its first reply only
    widget.ask("what is a bone scan")
    widget.page.reload()
    widget.open()
    widget.ask("what is an MRI")
    sender = widget.stored(SENDER_KEY)

    first, *later = requests.sent
    assert first.conversation_token is None
    assert [m.conversation_token for m in later] == [token, token]
    assert issued[1:] == [None, None]

    widget.end_chat()
    expect(widget.notice).to_contain_text(
        "deleted from this browser and from our server", timeout=ANSWER_TIMEOUT_MS
    )
    (deletion,) = deletions
    assert deletion.url.endswith(f"/conversations/{sender}")
    assert deletion.headers["x-conversation-token"] == token
    assert widget.stored(TOKEN_KEY) is None
    assert stored_events(stack, sender) == 0


def test_a_conversation_the_gateway_no_longer_accepts_goes_on_as_a_new_one(widget: ChatWidget):
    widget.visit()
    widget.open_fresh()
    old_sender = widget.stored(SENDER_KEY)

    def refuse_old_sender(route: Route) -> None:
        # What the gateway of issue 17 answers when the token is missing or wrong.
        if old_sender in (route.request.post_data or ""):
            route.fulfill(status=401, json={"error": "unauthorized", "detail": "Not allowed."})
        else:
            route.fallback()

    widget.page.route(CHAT_ROUTE, refuse_old_sender)
    widget.send("what is a bone scan")
    expect(widget.bot_messages.filter(has_text="whole skeleton")).to_have_count(
        1, timeout=ANSWER_TIMEOUT_MS
    )
    assert widget.stored(SENDER_KEY) not in (None, old_sender)
    expect(widget.error).to_be_hidden()


def test_ended_chat_is_deleted_on_the_server_once_it_can_be_reached(
    widget: ChatWidget, stack: Stack
):
    widget.visit()
    widget.open_fresh()
    widget.ask("what is a bone scan")
    sender = widget.stored(SENDER_KEY)
    widget.page.route("**/conversations/*", lambda route: route.abort("connectionrefused"))
    widget.end_chat()
    expect(widget.notice).to_contain_text("could not reach our server", timeout=ANSWER_TIMEOUT_MS)
    expect(widget.messages).to_have_count(0)
    assert stored_events(stack, sender) > 0

    # The next visit to any page of the site finishes the job.
    widget.page.unroute("**/conversations/*")
    with widget.page.expect_response(f"**/conversations/{sender}") as deletion:
        widget.page.reload()
    assert deletion.value.status == 200
    assert stored_events(stack, sender) == 0
    widget.page.wait_for_function("() => localStorage.getItem('bonemets-widget:ended') === null")
