"""What a patient types is never lost: queued while an answer is on its way, sent in order,
kept through a dropped connection or a busy assistant, and never acted on twice."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from playwright.sync_api import BrowserContext, Route, expect

from bot.supervisor.stack import Stack
from tests.conftest import CLINIC_PHONE
from tests.widget.chat_requests import CHAT_ROUTE, ChatRequests
from tests.widget.chat_widget import ANSWER_TIMEOUT_MS, ChatWidget
from tests.widget.conftest import Gateway

pytestmark = pytest.mark.e2e

BONE_SCAN = "what is a bone scan"
MRI = "what is an MRI"
# Letters, digits, - and _, at most 64: what the gateway accepts as an Idempotency-Key.
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# How long a slow phone connection can take to bring the greeting.
SLOW_GREETING_MS = 3000


def test_a_question_sent_at_once_is_answered_while_a_slow_greeting_is_on_its_way(
    widget: ChatWidget,
):
    requests = ChatRequests(widget.page, hold=lambda message: message == "/greet")
    widget.visit()
    widget.open()
    widget.send(BONE_SCAN)
    # Shown at once, marked as on its way; the box is ready for the next question.
    expect(widget.user_messages).to_have_text([BONE_SCAN])
    expect(widget.log.locator(".msg-user")).to_contain_text("Sending")
    expect(widget.input).to_have_value("")

    widget.page.wait_for_timeout(SLOW_GREETING_MS)
    requests.release()
    expect(widget.bot_messages.last).to_contain_text("whole skeleton", timeout=ANSWER_TIMEOUT_MS)
    # The welcome, then the question and its answer, each shown once.
    expect(widget.messages.first).to_contain_text("I am not a doctor")
    expect(widget.messages.nth(1)).to_contain_text(BONE_SCAN)
    expect(widget.log.locator(".msg-user")).not_to_contain_text("Sending")
    assert requests.messages == ["/greet", BONE_SCAN]


def test_two_messages_sent_back_to_back_are_both_answered_in_order(widget: ChatWidget):
    widget.visit()
    widget.open_fresh()
    requests = ChatRequests(widget.page, hold=lambda message: message == BONE_SCAN)
    widget.send(BONE_SCAN)
    widget.send(MRI)
    expect(widget.user_messages).to_have_text([BONE_SCAN, MRI])
    expect(widget.log.locator(".msg-user.sending")).to_have_count(2)
    # The second waits for the first one's answer: the assistant reads them in order.
    widget.page.wait_for_timeout(300)
    assert requests.messages == [BONE_SCAN]

    requests.release()
    expect(widget.bot_messages.last).to_contain_text("radio waves", timeout=ANSWER_TIMEOUT_MS)
    texts = widget.messages.all_inner_texts()
    order = [BONE_SCAN, "whole skeleton", MRI, "radio waves"]
    positions = [next(i for i, text in enumerate(texts) if part in text) for part in order]
    assert positions == sorted(positions), texts
    assert requests.messages == [BONE_SCAN, MRI]


def test_a_quick_reply_pressed_while_an_answer_is_on_its_way_is_sent_after_it(
    widget: ChatWidget,
):
    widget.visit()
    widget.open_fresh()
    requests = ChatRequests(widget.page, hold=lambda message: message == BONE_SCAN)
    widget.send(BONE_SCAN)
    # The welcome's buttons are still there while the answer is on its way.
    widget.quick_replies.filter(has_text="What tests might I have?").click()
    expect(widget.user_messages).to_have_text([BONE_SCAN, "What tests might I have?"])
    expect(widget.quick_replies).to_have_count(0)
    widget.page.wait_for_timeout(300)
    assert requests.messages == [BONE_SCAN]

    requests.release()
    expect(widget.bot_messages.last).to_contain_text(
        "Tests often go in steps", timeout=ANSWER_TIMEOUT_MS
    )
    texts = widget.messages.all_inner_texts()
    order = [BONE_SCAN, "whole skeleton", "What tests might I have?", "Tests often go in steps"]
    positions = [next(i for i, text in enumerate(texts) if part in text) for part in order]
    assert positions == sorted(positions), texts
    assert requests.messages == [BONE_SCAN, "/ask_test_list"]
    # The newest answer's buttons are the ones offered.
    expect(widget.quick_replies.filter(has_text="What comes first?")).to_be_visible()


def test_messages_typed_offline_are_kept_and_sent_in_order_when_back_online(
    context: BrowserContext, stack: Stack
):
    widget = ChatWidget(context.new_page(), stack.url)
    widget.visit()
    widget.open_fresh()
    context.set_offline(True)
    widget.send(BONE_SCAN)
    expect(widget.log.locator(".msg-user.unsent")).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    widget.send(MRI)
    expect(widget.log.locator(".msg-user.unsent")).to_have_count(2, timeout=ANSWER_TIMEOUT_MS)
    expect(widget.log.locator(".msg-user.unsent").first).to_contain_text("Not sent")
    expect(widget.error.get_by_role("button", name="Try again")).to_be_visible()
    said_while_offline = widget.error.inner_text()

    context.set_offline(False)
    # No click needed: coming back online sends them.
    expect(widget.bot_messages.last).to_contain_text("radio waves", timeout=ANSWER_TIMEOUT_MS)
    expect(widget.error).to_be_hidden()
    expect(widget.log.locator(".unsent")).to_have_count(0)
    texts = widget.messages.all_inner_texts()
    order = [BONE_SCAN, "whole skeleton", MRI, "radio waves"]
    positions = [next(i for i, text in enumerate(texts) if part in text) for part in order]
    assert positions == sorted(positions), texts
    assert "You are offline. Your messages will be sent when you are back online." in (
        said_while_offline
    )


def test_a_message_on_its_way_when_the_patient_goes_to_another_page_is_sent_from_there(
    widget: ChatWidget,
):
    widget.visit()
    widget.open_fresh()
    # On this page the request never gets an answer: the patient clicks a link first.
    widget.page.route(CHAT_ROUTE, lambda route: None, times=1)
    widget.send(BONE_SCAN)
    expect(widget.log.locator(".msg-user.sending")).to_have_count(1)
    widget.visit("/your-visit")
    widget.open()
    expect(widget.bot_messages.last).to_contain_text("whole skeleton", timeout=ANSWER_TIMEOUT_MS)
    expect(widget.user_messages).to_have_text([BONE_SCAN])


def test_every_message_has_its_own_idempotency_key_and_try_again_reuses_it(
    widget: ChatWidget,
):
    widget.visit()
    widget.open_fresh()
    # The first attempt never reaches the gateway (a dropped connection).
    failed: list[Route] = []

    def drop_first_attempt(route: Route) -> None:
        if not failed:
            failed.append(route)
            route.abort("connectionreset")
        else:
            route.fallback()

    widget.page.route(CHAT_ROUTE, drop_first_attempt)
    requests = ChatRequests(widget.page)  # the newest route sees each request first
    widget.send(BONE_SCAN)
    expect(widget.error).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    widget.error.get_by_role("button", name="Try again").click()
    expect(widget.bot_messages.last).to_contain_text("whole skeleton", timeout=ANSWER_TIMEOUT_MS)
    widget.ask(MRI)

    first, retry, second = requests.sent
    assert [first.message, retry.message, second.message] == [BONE_SCAN, BONE_SCAN, MRI]
    assert IDEMPOTENCY_KEY.match(first.idempotency_key)
    assert retry.idempotency_key == first.idempotency_key
    assert IDEMPOTENCY_KEY.match(second.idempotency_key)
    assert second.idempotency_key != first.idempotency_key


def test_busy_assistant_shows_a_countdown_and_the_clinic_phone_then_sends_again_by_itself(
    widget: ChatWidget,
):
    widget.visit()
    widget.open_fresh()
    turned_away: list[str] = []

    def busy_once(route: Route) -> None:
        # What the gateway answers past its capacity: 503 at once, with Retry-After.
        if not turned_away:
            turned_away.append(route.request.headers["idempotency-key"])
            route.fulfill(
                status=503,
                headers={"Retry-After": "3"},
                content_type="application/json",
                body=json.dumps({"error": "busy", "detail": "The assistant is busy."}),
            )
        else:
            route.fallback()

    widget.page.route(CHAT_ROUTE, busy_once)
    requests = ChatRequests(widget.page)  # the newest route sees each request first
    widget.send(BONE_SCAN)
    countdown = re.compile(r"Busy right now, trying again in (\d+) s")
    expect(widget.busy).to_contain_text(countdown)
    seconds = int(countdown.search(widget.busy.inner_text()).group(1))
    assert 3 <= seconds <= 5  # Retry-After plus up to half of it again
    expect(widget.busy.get_by_role("link", name=CLINIC_PHONE)).to_have_attribute(
        "href", "tel:" + re.sub(r"\D", "", CLINIC_PHONE)
    )
    expect(widget.busy).to_contain_text(f"trying again in {seconds - 1} s")
    # The typed message is kept, still on its way, not "Not sent".
    expect(widget.user_messages).to_have_text([BONE_SCAN])
    expect(widget.log.locator(".unsent")).to_have_count(0)

    expect(widget.bot_messages.last).to_contain_text("whole skeleton", timeout=ANSWER_TIMEOUT_MS)
    expect(widget.busy).to_be_hidden()
    assert [m.message for m in requests.sent] == [BONE_SCAN, BONE_SCAN]
    assert [m.idempotency_key for m in requests.sent] == turned_away * 2


class HoldingRasa(ThreadingHTTPServer):
    """Rasa's REST channel, played on a free port: it answers at once, except the message
    "hold", which it keeps until `go` is set (a worker busy with a slow message)."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.holding = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(handler) -> None:  # /status, as Rasa with a model loaded
                handler.answer({"model_file": "models/bonemets.tar.gz"})

            def do_POST(handler) -> None:
                length = int(handler.headers["Content-Length"])
                body = json.loads(handler.rfile.read(length))
                if body["message"] == "hold":
                    self.holding.set()
                    self.go.wait(30)
                text = f"Rasa's answer to: {body['message']}"
                handler.answer([{"recipient_id": body["sender"], "text": text}])

            def answer(handler, body: object) -> None:
                data = json.dumps(body).encode()
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", str(len(data)))
                handler.end_headers()
                handler.wfile.write(data)

            def log_message(handler, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def busy_gateway(stack: Stack) -> Iterator[tuple[Gateway, HoldingRasa]]:
    """The real gateway with one slot for its one Rasa worker and no wait: a message sent while
    another is at Rasa is answered busy, as past capacity."""
    rasa = HoldingRasa()
    threading.Thread(target=rasa.serve_forever, daemon=True).start()
    gateway = Gateway(
        stack,
        extra_env={
            "RASA_PORT": str(rasa.server_address[1]),
            "ADMISSION_SLOTS_PER_WORKER": "1",
            "ADMISSION_BURST_SLOTS_PER_WORKER": "0",
            "ADMISSION_WAIT_SECONDS": "0",
        },
    )
    gateway.start()
    yield gateway, rasa
    rasa.go.set()
    gateway.stop()
    rasa.shutdown()


def test_real_gateway_past_capacity_gets_the_busy_countdown_then_the_answer_by_itself(
    page, busy_gateway
):
    gateway, rasa = busy_gateway
    widget = ChatWidget(page, gateway.url)
    widget.visit()
    widget.open_fresh()
    requests = ChatRequests(widget.page)
    other_patient = threading.Thread(
        target=httpx.post,
        args=(f"{gateway.url}/webhooks/rest/webhook",),
        kwargs={"json": {"sender": "other-patient", "message": "hold"}, "timeout": 30},
    )
    other_patient.start()
    assert rasa.holding.wait(10)

    widget.send(BONE_SCAN)
    expect(widget.busy).to_contain_text(re.compile(r"Busy right now, trying again in \d+ s"))
    expect(widget.user_messages).to_have_text([BONE_SCAN])
    rasa.go.set()
    other_patient.join(30)

    expect(widget.bot_messages.last).to_have_text(
        f"Rasa's answer to: {BONE_SCAN}", timeout=ANSWER_TIMEOUT_MS
    )
    expect(widget.busy).to_be_hidden()
    first, retry = requests.sent
    assert first.message == retry.message == BONE_SCAN
    assert retry.idempotency_key == first.idempotency_key


def test_a_message_the_gateway_refuses_says_why_and_does_not_hold_back_the_next(
    widget: ChatWidget,
):
    widget.visit()
    widget.open_fresh()
    refusal = {"error": "invalid_request", "detail": "message: must be 1-1000 characters"}

    def refuse_first(route: Route) -> None:
        if json.loads(route.request.post_data)["message"] == "x" * 20:
            route.fulfill(status=422, json=refusal)
        else:
            route.fallback()

    widget.page.route(CHAT_ROUTE, refuse_first)
    widget.send("x" * 20)
    expect(widget.log.locator(".msg-user.unsent")).to_contain_text("Not sent")
    expect(widget.error).to_contain_text(refusal["detail"])
    # Sending it again would get the same answer: no Try again for it.
    expect(widget.error.get_by_role("button", name="Try again")).to_have_count(0)
    expect(widget.ask(BONE_SCAN)).to_contain_text("whole skeleton")
    expect(widget.error).to_be_hidden()


def test_a_reply_the_gateway_wrote_itself_is_shown_as_a_normal_answer(widget: ChatWidget):
    # What the gateway answers for a warning sign when Rasa has failed (issue 16).
    fallback = [
        {
            "recipient_id": "x",
            "text": "Please call your care team now. In an emergency, call 911.",
            "custom": {"gateway_reply": "red_flag"},
        }
    ]
    widget.visit()
    widget.open_fresh()
    widget.page.route(CHAT_ROUTE, lambda route: route.fulfill(json=fallback))
    expect(widget.ask("my legs went numb")).to_have_text(fallback[0]["text"])
    expect(widget.log.locator(".chip, .source, .replies")).to_have_count(0)
    expect(widget.error).to_be_hidden()
