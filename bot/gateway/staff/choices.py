"""What a reviewer may choose for a queued question, read from the project's own files.

Intents come from `domain.yml` (declines by kind, from its `utter_out_of_scope/<kind>`
responses), subjects from the content (tests and glossary words), and the "not on the page"
topics from `content/reading.yml`, so a label is always something the assistant knows.
Left out: intents no person's words should train (`red_flag` is set by the warning-sign check
only, `nurse_alert_follow_up` by Slack buttons, `ask_not_on_page` by a topic).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from content.reading import load_reading
from content.schema import load_content
from settings import PROJECT_DIR

DOMAIN_FILE = PROJECT_DIR / "domain.yml"
DECLINE_INTENT = "out_of_scope"
DECLINE_RESPONSE = "utter_out_of_scope/"
NOT_TRAINED = frozenset({"red_flag", "nurse_alert_follow_up", "ask_not_on_page", DECLINE_INTENT})


@dataclass(frozen=True)
class Choices:
    intents: dict[str, str]  # intent -> what it asks, in words
    subjects: dict[str, str]  # "test:bone_scan" -> "Bone scan"
    topics: dict[str, str]  # not-on-page topic -> what the page does not say

    def subject_name(self, kind: str, subject_id: str) -> str:
        return self.subjects.get(f"{kind}:{subject_id}", subject_id)


def describe_intent(intent: str) -> str:
    """ "ask_what_it_shows" -> "what it shows"; "out_of_scope/costs" -> "decline: costs"."""
    if intent.startswith(f"{DECLINE_INTENT}/"):
        return "decline: " + intent.split("/", 1)[1].replace("_", " ")
    return intent.removeprefix("ask_").replace("_", " ")


@lru_cache(maxsize=1)
def load_choices(domain_file: Path = DOMAIN_FILE) -> Choices:
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8"))
    asked = [i for i in domain["intents"] if i.startswith("ask_") and i not in NOT_TRAINED]
    declines = [
        f"{DECLINE_INTENT}/{name.removeprefix(DECLINE_RESPONSE)}"
        for name in domain["responses"]
        if name.startswith(DECLINE_RESPONSE)
    ]
    others = [i for i in domain["intents"] if not i.startswith("ask_") and i not in NOT_TRAINED]
    content = load_content()
    subjects = {f"test:{t.id}": t.name for t in content.tests.values()}
    subjects |= {f"term:{t.id}": t.term for t in content.terms.values()}
    topics = {topic: item.says for topic, item in load_reading().rules.not_on_page.items()}
    return Choices(
        intents={intent: describe_intent(intent) for intent in [*asked, *declines, *others]},
        subjects=subjects,
        topics=topics,
    )
