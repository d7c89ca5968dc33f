"""The staff page in real headless Chromium, against the running assistant: sign-in refused
without the secret, the counts and charts, the queue, labelling with the keyboard, axe-core,
and a 360 px phone. Screenshots go to reports/screenshots/staff-*.png."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from bot.supervisor.stack import Stack
from tests.conftest import STAFF_TOKEN
from tests.widget.test_widget import describe, serious_violations

pytestmark = pytest.mark.e2e

BEARER = {"Authorization": f"Bearer {STAFF_TOKEN}"}
UNANSWERED = "workup lineup pls, ring 617-555-0173"
SHOWN = "workup lineup pls, ring <phone>"


@pytest.fixture
def queued_question(stack: Stack) -> int:
    """A question the assistant cannot answer, asked by a patient; its id in the queue."""
    stack.say(f"staff-page-{uuid.uuid4().hex[:8]}", UNANSWERED)
    queue = httpx.get(f"{stack.url}/staff/api/review", headers=BEARER).json()["questions"]
    return max(item["id"] for item in queue if item["text"] == SHOWN)


def sign_in(page: Page, stack: Stack, token: str = STAFF_TOKEN) -> None:
    page.goto(f"{stack.url}/staff")
    page.get_by_label("Your name or initials").fill("Dana Reyes")
    page.get_by_label("Staff token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def test_the_page_refuses_a_wrong_token_and_shows_no_counts(browser: Browser, stack: Stack):
    page = browser.new_context().new_page()
    response = page.goto(f"{stack.url}/staff")
    assert response.status == 401
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in(page, stack, token="not-the-token")
    expect(page.get_by_role("alert")).to_have_text(
        "That token is not right. Please check it and try again."
    )
    expect(page.get_by_text("What patients asked")).to_have_count(0)
    violations, _ = serious_violations(page)
    assert violations == [], describe(violations)
    page.context.close()


def test_staff_see_charts_and_the_queue_and_label_a_question_with_the_keyboard(
    browser: Browser, stack: Stack, queued_question: int, screenshot_dir: Path
):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, stack)
    expect(
        page.get_by_role("heading", name="What patients asked: the last 30 days")
    ).to_be_visible()
    charts = page.locator("svg[role=img]")
    expect(charts).to_have_count(3)
    for name in ("Conversations and messages per day", "How messages ended", "Top subjects"):
        expect(page.get_by_role("img", name=name)).to_be_visible()
    expect(page.get_by_role("link", name="Download the daily counts (CSV)")).to_be_visible()
    question = page.locator("li", has=page.get_by_text(SHOWN, exact=True)).last
    expect(question).to_be_visible()
    violations, _ = serious_violations(page)
    assert violations == [], describe(violations)
    page.screenshot(path=screenshot_dir / "staff-1280.png", full_page=True)

    # With the keyboard only: Tab reaches the question's controls, Enter saves.
    decision = page.locator(f"#q{queued_question}-decision")
    for _ in range(400):
        page.keyboard.press("Tab")
        if decision.evaluate("element => element === document.activeElement"):
            break
    expect(decision).to_be_focused()
    decision.select_option("label:ask_test_list")
    page.keyboard.press("Tab")
    expect(page.locator(f"#q{queued_question}-subject")).to_be_focused()
    page.keyboard.press("Tab")
    expect(question.get_by_role("button", name="Save decision")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text(
        f"Saved your decision on question {queued_question}."
    )
    reviewed = page.locator("li", has=page.get_by_text(SHOWN, exact=True)).last
    expect(reviewed).to_contain_text("test list (Dana Reyes,")
    expect(page.locator(f"#q{queued_question}-decision")).to_have_count(0)
    decided = httpx.get(f"{stack.url}/staff/api/review?status=reviewed", headers=BEARER).json()
    (item,) = [q for q in decided["questions"] if q["id"] == queued_question]
    assert item["decision"]["intent"] == "ask_test_list"
    assert item["decision"]["reviewer"] == "Dana Reyes"
    page.context.close()


def test_the_page_fits_a_360_px_phone(browser: Browser, stack: Stack, screenshot_dir: Path):
    stack.say(f"staff-page-{uuid.uuid4().hex[:8]}", UNANSWERED)
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(page, stack)
    expect(page.locator("svg[role=img]")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for control in page.locator("main form.decide select, main form.decide button").all()[:6]:
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert box["height"] >= 44  # a finger-sized target
    violations, _ = serious_violations(page)
    assert violations == [], describe(violations)
    page.screenshot(path=screenshot_dir / "staff-360.png", full_page=True)
    page.context.close()
