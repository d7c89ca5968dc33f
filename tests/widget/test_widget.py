"""The patient widget in real headless Chromium, talking to the real assistant."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from bot.supervisor.stack import Stack
from settings.clinic import DEMO_CLINIC_NAME
from tests.conftest import CLINIC_PHONE
from tests.widget.chat_widget import ANSWER_TIMEOUT_MS, ChatWidget
from tests.widget.conftest import ClinicSite, Gateway

pytestmark = pytest.mark.e2e

SENDER_KEY = "bonemets-widget:sender"
TRANSCRIPT_KEY = "bonemets-widget:transcript"
XSS = "<img src=x onerror=alert(1)>"

# Records what the speaker button asks the browser to say, instead of making a sound.
RECORD_SPEECH = """
window.spoken = [];
window.speechSynthesis.speak = (utterance) => window.spoken.push(utterance.text);
"""
NO_SPEECH = "delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;"


def test_bone_scan_answer_shows_source_note_and_timestamps_for_screen_readers(
    widget: ChatWidget,
):
    widget.visit()
    widget.open_fresh()
    answer = widget.ask("what is a bone scan")
    expect(answer).to_contain_text("whole skeleton")
    expect(widget.sources.last).to_contain_text("section \u201cBone scan\u201d")
    expect(widget.sources.last).to_contain_text("May 2, 2016")
    # Every message says who sent it and when, in text only a screen reader reads.
    messages = widget.log.locator(".msg")
    assert messages.count() == 3  # greeting, question, answer
    for i in range(messages.count()):
        expect(messages.nth(i).locator(".sr-only").first).to_have_text(
            re.compile(r"(You|Assistant) said: ")
        )
        expect(messages.nth(i).locator("time")).to_have_attribute(
            "datetime", re.compile(r"^\d{4}-\d\d-\d\dT")
        )
        expect(messages.nth(i).locator("time")).not_to_be_in_viewport()


def test_pronunciation_chip_has_a_speaker_button_that_says_the_word(
    context: BrowserContext, stack: Stack
):
    context.add_init_script(RECORD_SPEECH)
    widget = ChatWidget(context.new_page(), stack.url)
    widget.visit()
    widget.open_fresh()
    expect(widget.ask("what does lytic mean")).to_contain_text("LIT-ik")
    chip = widget.chips.filter(has_text=re.compile("How to say lytic: LIT-ik"))
    expect(chip).to_be_visible()
    chip.get_by_role("button", name="Listen to how to say lytic").click()
    assert widget.page.evaluate("window.spoken") == ["lytic"]


def test_speaker_button_is_hidden_where_speech_is_unsupported(
    context: BrowserContext, stack: Stack
):
    context.add_init_script(NO_SPEECH)
    widget = ChatWidget(context.new_page(), stack.url)
    widget.visit()
    widget.open_fresh()
    widget.ask("what does lytic mean")
    expect(widget.chips.first).to_contain_text("LIT-ik")
    expect(widget.log.get_by_role("button", name=re.compile("Listen"))).to_have_count(0)


def test_typing_indicator_shows_until_the_answer_arrives(widget: ChatWidget):
    held: list[Route] = []
    widget.page.route("**/webhooks/rest/webhook", lambda route: held.append(route))
    widget.visit()
    widget.open()
    typing = widget.panel.locator(".typing")
    expect(typing).to_be_visible()
    expect(widget.panel.get_by_role("status")).to_have_text("The assistant is typing.")
    held[0].continue_()
    expect(widget.bot_messages.first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(typing).to_be_hidden()
    expect(widget.panel.get_by_role("status")).to_have_text("")


def test_quick_reply_sends_its_question_and_clears_the_old_buttons(widget: ChatWidget):
    widget.visit()
    widget.open_fresh()
    widget.ask("what is a bone scan")
    answers_before = widget.bot_messages.count()
    widget.quick_replies.filter(has_text="What does it show?").click()
    expect(widget.user_messages.last).to_have_text("What does it show?")
    expect(widget.wait_for_answer(answers_before)).to_contain_text("denser")
    expect(widget.quick_replies.filter(has_text="What does it show?")).to_have_count(0)
    expect(widget.input).to_be_focused()


def test_conversation_is_back_after_reload_and_on_another_page(widget: ChatWidget):
    widget.visit()
    widget.open_fresh()
    widget.ask("what is a bone scan")
    sender = widget.stored(SENDER_KEY)

    widget.page.reload()
    widget.open()
    expect(widget.user_messages).to_have_text(["what is a bone scan"])
    expect(widget.bot_messages.last).to_contain_text("whole skeleton")

    widget.visit("/your-visit")
    widget.open()
    expect(widget.bot_messages.last).to_contain_text("whole skeleton")
    # The same conversation goes on: the assistant still knows what "it" is.
    expect(widget.ask("what does it show?")).to_contain_text("denser")
    assert widget.stored(SENDER_KEY) == sender


def test_html_typed_by_the_patient_is_shown_as_text(widget: ChatWidget):
    widget.visit()
    widget.open_fresh()
    widget.ask(XSS)
    expect(widget.user_messages.last).to_have_text(XSS)
    expect(widget.log.locator("img")).to_have_count(0)
    widget.page.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert widget.dialogs == []


def test_html_in_bot_replies_is_shown_as_text(widget: ChatWidget):
    replies = [
        {"recipient_id": "x", "text": XSS, "buttons": [{"title": XSS, "payload": "/greet"}]},
        {"recipient_id": "x", "custom": {"pronunciation": {"term": XSS, "respelling": XSS}}},
        {"recipient_id": "x", "custom": {"source": {"publisher": XSS, "title": XSS}}},
    ]
    widget.page.route("**/webhooks/rest/webhook", lambda route: route.fulfill(json=replies))
    widget.visit()
    widget.open()
    expect(widget.bot_messages.first).to_have_text(XSS)
    expect(widget.quick_replies.first).to_have_text(XSS)
    expect(widget.chips.first).to_contain_text(XSS)
    expect(widget.sources.first).to_contain_text(XSS)
    expect(widget.log.locator("img")).to_have_count(0)
    widget.page.wait_for_timeout(300)
    assert widget.dialogs == []


def test_forget_me_reply_clears_the_history_and_sender_id_in_the_browser(widget: ChatWidget):
    widget.visit()
    widget.open_fresh()
    widget.ask("what is a bone scan")
    old_sender = widget.stored(SENDER_KEY)
    # What the gateway answers once it has deleted the conversation (bot/forget.py).
    deleted = [
        {"recipient_id": old_sender, "custom": {"conversation_deleted": {"events": 14}}},
        {"recipient_id": old_sender, "text": "I deleted our conversation."},
    ]

    def forget(route: Route) -> None:
        route.fulfill(json=deleted)

    widget.page.route("**/webhooks/rest/webhook", forget)
    widget.input.fill("forget me")
    widget.send_button.click()
    expect(widget.bot_messages).to_have_text(["I deleted our conversation."])
    expect(widget.user_messages).to_have_count(0)
    assert widget.stored(SENDER_KEY) is None
    assert [e["text"] for e in json.loads(widget.stored(TRANSCRIPT_KEY))] == [
        "I deleted our conversation."
    ]

    widget.page.unroute("**/webhooks/rest/webhook", forget)
    widget.ask("what is an MRI")
    assert widget.stored(SENDER_KEY) not in (None, old_sender)


def test_stopped_gateway_shows_an_error_and_try_again_works_once_it_is_back(
    page: Page, own_gateway: Gateway, screenshot_dir: Path
):
    widget = ChatWidget(page, own_gateway.url)
    widget.visit()
    widget.open_fresh()
    own_gateway.stop()

    widget.input.fill("what is a bone scan")
    widget.send_button.click()
    expect(widget.error).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(widget.error).to_contain_text("can't reach the assistant")
    expect(widget.error).to_contain_text(CLINIC_PHONE)
    expect(widget.log.locator(".unsent")).to_contain_text("Not sent")
    page.screenshot(path=screenshot_dir / "widget-1280-error.png")

    own_gateway.start()
    answers_before = widget.bot_messages.count()
    widget.error.get_by_role("button", name="Try again").click()
    expect(widget.wait_for_answer(answers_before)).to_contain_text("whole skeleton")
    expect(widget.error).to_be_hidden()
    expect(widget.user_messages).to_have_text(["what is a bone scan"])


def test_keyboard_only_open_ask_use_a_quick_reply_and_close(widget: ChatWidget):
    page = widget.page
    widget.visit()
    for _ in range(10):
        page.keyboard.press("Tab")
        if "launcher" in widget.focused()["cls"]:
            break
    assert "launcher" in widget.focused()["cls"], "Tab never reached the launcher"

    page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    expect(widget.input).to_be_focused()
    expect(widget.quick_replies.first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    page.keyboard.type("what is a bone scan")
    page.keyboard.press("Enter")
    expect(widget.bot_messages.nth(1)).to_contain_text("whole skeleton", timeout=ANSWER_TIMEOUT_MS)

    # Tab goes round and round inside the open panel and never out to the page.
    seen = []
    for _ in range(2 * 12):
        page.keyboard.press("Tab")
        focused = widget.focused()
        assert focused["inPanel"], f"focus left the panel: {focused}"
        seen.append(focused["label"] or focused["text"])
    assert seen.count("Close chat") >= 2, "Tab did not wrap round the panel"
    widget.panel.get_by_role("link", name=re.compile(f"^Call {DEMO_CLINIC_NAME}")).focus()
    page.keyboard.press("Shift+Tab")
    assert widget.focused()["text"] == "Send", "Shift+Tab from the first control did not wrap"

    for _ in range(12):
        page.keyboard.press("Tab")
        if widget.focused()["text"] == "What does it show?":
            break
    assert widget.focused()["text"] == "What does it show?"
    page.keyboard.press("Enter")
    expect(widget.bot_messages.nth(2)).to_contain_text("denser", timeout=ANSWER_TIMEOUT_MS)

    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()


def test_tab_brings_focus_back_into_the_open_panel_after_a_click_on_the_page(
    widget: ChatWidget,
):
    widget.visit()
    widget.open_fresh()
    widget.page.get_by_role("heading", level=1).click()
    assert not widget.focused()["inPanel"]
    widget.page.keyboard.press("Tab")
    assert widget.focused()["inPanel"]
    widget.page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()


def serious_violations(page: Page) -> tuple[list[dict], int]:
    """axe-core's serious and critical violations, and how many widget texts had their
    contrast checked (proof that axe looked inside the widget's shadow root)."""
    # No options: axe then lists every node that passed, not one per rule.
    results = Axe().run(page, options=None).response
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    contrast_checked = sum(
        # Nodes inside a shadow root have a nested target: [host selector, inner selector].
        isinstance(node["target"][0], list)
        for rule in results["passes"] + results["violations"]
        if rule["id"] == "color-contrast"
        for node in rule["nodes"]
    )
    return bad, contrast_checked


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in violations
    )


def test_open_widget_has_no_serious_or_critical_axe_violations(widget: ChatWidget):
    widget.visit()
    widget.open_fresh()
    widget.ask("what does lytic mean")
    expect(widget.chips.first).to_be_visible()
    expect(widget.log).to_have_attribute("aria-live", "polite")
    violations, contrast_checked = serious_violations(widget.page)
    assert contrast_checked > 10, "axe did not check the widget's text"
    assert violations == [], describe(violations)


def test_sending_busy_not_sent_and_end_chat_states_are_accessible_at_360_px(
    browser: Browser, stack: Stack, screenshot_dir: Path
):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    try:
        widget = ChatWidget(context.new_page(), stack.url)
        page = widget.page
        widget.visit()
        widget.open_fresh()
        widget.ask("what is a bone scan")

        def check(state: str) -> None:
            page.screenshot(path=screenshot_dir / f"widget-360-{state}.png")
            violations, contrast_checked = serious_violations(page)
            assert contrast_checked > 5, f"{state}: axe did not check the widget's text"
            assert violations == [], f"{state}: {describe(violations)}"
            overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            assert overflow == 0, f"{state}: the page scrolls sideways"

        held: list[Route] = []
        page.route("**/webhooks/rest/webhook", lambda route: held.append(route))
        widget.send("what does it show?")
        expect(widget.log.locator(".msg-user.sending")).to_contain_text("Sending")
        check("sending")

        context.set_offline(True)
        held.pop().abort("internetdisconnected")
        page.unroute("**/webhooks/rest/webhook")
        expect(widget.log.locator(".msg-user.unsent")).to_contain_text("Not sent")
        expect(widget.error).to_contain_text("offline")
        check("not-sent")

        busy = {"status": 503, "headers": {"Retry-After": "60"}, "json": {"detail": "Busy."}}
        page.route("**/webhooks/rest/webhook", lambda route: route.fulfill(**busy))
        context.set_offline(False)
        expect(widget.busy).to_contain_text("Busy right now")
        check("busy")

        widget.panel.get_by_role("button", name="End chat", exact=True).click()
        expect(widget.panel.get_by_role("button", name="Yes, end chat")).to_be_focused()
        check("end-chat")
    finally:
        context.close()


@pytest.mark.parametrize("color", ["#ffd54f", "#7fdbff", "not-a-colour"])
def test_widget_on_another_allowed_site_works_and_any_brand_colour_keeps_aa_contrast(
    page: Page, clinic_site_and_gateway: tuple[ClinicSite, Gateway], color: str
):
    site, _ = clinic_site_and_gateway
    site.color = color
    widget = ChatWidget(page, site.url)
    widget.visit()
    widget.open_fresh()
    expect(widget.ask("what is a bone scan")).to_contain_text("whole skeleton")
    violations, contrast_checked = serious_violations(page)
    assert contrast_checked > 5, "axe did not check the widget's text"
    assert violations == [], describe(violations)


def test_clinic_phone_comes_from_the_gateway_settings(widget: ChatWidget):
    widget.visit()  # the demo page's tag names no phone number
    widget.open_fresh()
    link = widget.panel.get_by_role("link", name=f"Call {DEMO_CLINIC_NAME}: {CLINIC_PHONE}")
    expect(link).to_have_attribute("href", "tel:" + re.sub(r"\D", "", CLINIC_PHONE))
    # The same number the assistant gives in its own answers.
    expect(widget.bot_messages.first).to_contain_text(CLINIC_PHONE)


def test_clinic_phone_set_on_the_page_wins_over_the_settings(
    page: Page, clinic_site_and_gateway: tuple[ClinicSite, Gateway]
):
    site, _ = clinic_site_and_gateway
    widget = ChatWidget(page, site.url)
    widget.visit()
    widget.open_fresh()
    link = widget.panel.get_by_role("link", name=re.compile(f"^Call {DEMO_CLINIC_NAME}"))
    expect(link).to_have_text(f"Call {DEMO_CLINIC_NAME}: 555-0142")
    expect(link).to_have_attribute("href", "tel:5550142")


def test_widget_on_a_site_missing_from_the_allow_list_cannot_reach_the_assistant(
    page: Page, stack: Stack
):
    site = ClinicSite(gateway_url=stack.url)  # the stack runs with no CORS_ORIGINS
    try:
        widget = ChatWidget(page, site.url)
        widget.visit()
        widget.open()
        expect(widget.error).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        expect(widget.bot_messages).to_have_count(0)
    finally:
        site.close()


@pytest.mark.parametrize(("motion", "animation"), [("no-preference", "rise"), ("reduce", "none")])
def test_panel_animation_follows_the_reduced_motion_setting(
    browser: Browser, stack: Stack, motion: str, animation: str
):
    context = browser.new_context(reduced_motion=motion)
    try:
        widget = ChatWidget(context.new_page(), stack.url)
        widget.visit()
        widget.open()
        name = widget.panel.evaluate("panel => getComputedStyle(panel).animationName")
        assert name == animation
    finally:
        context.close()


# (name, viewport, device scale): 1280 x 800 at 200 % zoom is a 640 x 400 CSS-pixel viewport.
SCREENS = [
    ("320", {"width": 320, "height": 568}, 1),
    ("360", {"width": 360, "height": 740}, 1),
    ("zoom200", {"width": 640, "height": 400}, 2),
    ("1280", {"width": 1280, "height": 800}, 1),
]


@pytest.mark.parametrize(("name", "viewport", "scale"), SCREENS, ids=[s[0] for s in SCREENS])
def test_panel_fits_the_screen_without_sideways_scrolling(
    browser: Browser, stack: Stack, screenshot_dir: Path, name: str, viewport: dict, scale: int
):
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, locale="en-US")
    try:
        widget = ChatWidget(context.new_page(), stack.url)
        widget.visit()
        widget.page.screenshot(path=screenshot_dir / f"widget-{name}-closed.png")
        widget.open_fresh()
        widget.ask("what is a bone scan")
        expect(widget.ask("what does lytic mean")).to_contain_text("LIT-ik")
        widget.page.screenshot(path=screenshot_dir / f"widget-{name}-open.png")

        box = widget.panel.bounding_box()
        assert box["x"] >= 0 and box["y"] >= 0
        assert box["x"] + box["width"] <= viewport["width"]
        assert box["y"] + box["height"] <= viewport["height"]
        for control in (widget.input, widget.send_button, widget.chips.last):
            expect(control).to_be_in_viewport()
        overflow = widget.page.evaluate(
            """() => {
              const scroller = document.querySelector('#bonemets-widget')
                .shadowRoot.querySelector('.scroller');
              return [document.documentElement.scrollWidth - innerWidth,
                      scroller.scrollWidth - scroller.clientWidth];
            }"""
        )
        assert overflow == [0, 0]
    finally:
        context.close()
