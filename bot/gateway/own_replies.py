"""The gateway's own replies, for when Rasa or the action server gives none.

A message with a warning sign must never go unanswered, so the gateway screens every message
with the assistant's own detector (content/red_flags.yml). When Rasa fails, times out or
answers with nothing, a flagged message gets the assistant's red-flag reply, worded as in
`domain.yml` (`utter_red_flag`) and filled from the same settings; any other message gets a
short "could not answer" with the clinic's phone. Both come in Rasa's REST shape, with a custom
item that tells the widget the gateway answered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from content.red_flags import describe, load_detector
from settings import PROJECT_DIR
from settings.bot import Settings

DOMAIN_FILE = PROJECT_DIR / "domain.yml"
RED_FLAG_RESPONSE = "utter_red_flag"
GATEWAY_REPLY = "gateway_reply"
UNAVAILABLE_TEXT = (
    "I could not answer just now. Please try again in a minute. For questions about your own "
    "care, call your care team at {clinic_phone}."
)
# The numbers a red-flag reply must give; the wording may use no value the gateway lacks.
NEEDED_IN_RED_FLAG = {"clinic_phone", "emergency_number", "crisis_line"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def red_flag_wording(domain_file: Path = DOMAIN_FILE) -> str:
    """The text of the assistant's red-flag response, with its placeholders."""
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8"))
    text = domain["responses"][RED_FLAG_RESPONSE][0]["text"]
    used = set(_PLACEHOLDER.findall(text))
    if not used >= NEEDED_IN_RED_FLAG:
        missing = ", ".join(sorted(NEEDED_IN_RED_FLAG - used))
        raise ValueError(f"{RED_FLAG_RESPONSE} in {domain_file.name} does not give {missing}")
    return text


class OwnReplies:
    def __init__(self, settings: Settings, red_flag_text: str) -> None:
        self._values = {
            "clinic_name": settings.clinic_name,
            "clinic_phone": settings.clinic_phone,
            "emergency_number": settings.emergency_number,
            "crisis_line": settings.crisis_line,
        }
        unknown = set(_PLACEHOLDER.findall(red_flag_text)) - {"signs", *self._values}
        if unknown:
            raise ValueError(f"{RED_FLAG_RESPONSE} uses {sorted(unknown)}, which the gateway lacks")
        self._red_flag_text = red_flag_text
        self._detector = load_detector()

    @classmethod
    def from_settings(cls, settings: Settings) -> OwnReplies:
        return cls(settings, red_flag_wording())

    def warning_signs(self, message: str) -> list[str] | None:
        """The signs the detector found in words a person would use, or None for no alarm."""
        screening = self._detector.screen(message)
        return screening.says if screening.alarm else None

    def red_flag(self, sender: str, signs: Sequence[str]) -> list[dict[str, Any]]:
        values = {**self._values, "signs": describe(signs)}
        text = _PLACEHOLDER.sub(lambda match: values[match.group(1)], self._red_flag_text)
        return self._reply(sender, text, "red_flag")

    def unavailable(self, sender: str) -> list[dict[str, Any]]:
        return self._reply(sender, UNAVAILABLE_TEXT.format(**self._values), "unavailable")

    @staticmethod
    def _reply(sender: str, text: str, kind: str) -> list[dict[str, Any]]:
        return [
            {"recipient_id": sender, "text": text},
            {"recipient_id": sender, "custom": {GATEWAY_REPLY: kind}},
        ]
