"""What a patient sees and does in the widget, for the browser tests to read like a visit."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

# Chat answers come from the real model; the first one after start can take a few seconds.
ANSWER_TIMEOUT_MS = 20_000

# The element that has focus, looking through the widget's shadow root.
FOCUSED = """() => {
  let node = document.activeElement;
  while (node && node.shadowRoot && node.shadowRoot.activeElement) {
    node = node.shadowRoot.activeElement;
  }
  return node;
}"""


class ChatWidget:
    def __init__(self, page: Page, site_url: str) -> None:
        self.page = page
        self.site_url = site_url
        # Playwright's CSS and role locators look inside open shadow roots.
        self.launcher = page.locator("#bonemets-widget .launcher")
        self.panel = page.get_by_role("dialog")
        self.log = page.get_by_role("log", name="Conversation")
        self.input = page.get_by_label("Your question")
        self.send_button = page.get_by_role("button", name="Send", exact=True)
        self.error = page.get_by_role("alert")
        self.busy = page.locator("#bonemets-widget .busy")
        self.notice = page.locator("#bonemets-widget .notice")
        self.dialogs: list[str] = []
        page.on("dialog", self._record_dialog)

    def _record_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def visit(self, path: str = "/") -> None:
        self.page.goto(self.site_url + path)
        expect(self.launcher).to_be_visible()

    def open(self) -> None:
        self.launcher.click()
        expect(self.panel).to_be_visible()

    def open_fresh(self) -> None:
        """Opens a new conversation and waits for the assistant's greeting."""
        self.open()
        expect(self.bot_messages.first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)

    @property
    def bot_messages(self) -> Locator:
        return self.log.locator(".msg-bot .bubble")

    @property
    def user_messages(self) -> Locator:
        return self.log.locator(".msg-user .bubble")

    @property
    def messages(self) -> Locator:
        """Every message, the patient's and the assistant's, in the order shown."""
        return self.log.locator(".msg")

    @property
    def quick_replies(self) -> Locator:
        return self.log.locator(".replies button")

    @property
    def chips(self) -> Locator:
        return self.log.locator(".chip")

    @property
    def sources(self) -> Locator:
        return self.log.locator(".source")

    def send(self, text: str) -> None:
        """Types a message and sends it, without waiting for anything."""
        self.input.fill(text)
        self.send_button.click()

    def ask(self, question: str) -> Locator:
        """Types a question, sends it, and returns the answer's text bubble."""
        answers_before = self.bot_messages.count()
        self.send(question)
        return self.wait_for_answer(answers_before)

    def end_chat(self) -> None:
        self.panel.get_by_role("button", name="End chat", exact=True).click()
        self.panel.get_by_role("button", name="Yes, end chat").click()

    def wait_for_answer(self, answers_before: int) -> Locator:
        answer = self.bot_messages.nth(answers_before)
        expect(answer).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        return answer

    def focused(self) -> dict:
        """What has keyboard focus: its tag, class, text, and whether it is inside the panel."""
        return self.page.evaluate(
            f"""() => {{
              const node = ({FOCUSED})();
              const panel = document.querySelector('#bonemets-widget')
                .shadowRoot.querySelector('[role=dialog]');
              return {{
                tag: node.tagName.toLowerCase(),
                cls: node.className || '',
                text: (node.textContent || node.getAttribute('aria-label') || '').trim(),
                label: node.getAttribute('aria-label') || '',
                inPanel: panel.contains(node),
              }};
            }}"""
        )

    def stored(self, key: str) -> str | None:
        return self.page.evaluate("key => localStorage.getItem(key)", key)
