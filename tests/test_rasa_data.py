"""Rasa's own checks: `rasa data validate` is clean, the action server registers the domain's
actions, and the test stories follow the trained policy."""

from __future__ import annotations

import re

import yaml
from rasa_sdk.executor import ActionExecutor

from settings import PROJECT_DIR

# Responses that only custom actions send are reported as unused by the validator; that is
# expected, as long as an action really sends them. So are those a form asks its slots with.
UNUSED_RESPONSE = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule")
# An intent that only an NLU component (the red-flag override) or a chat-app connector (a
# click on a nurse alert's button) sets has no training examples.
NO_EXAMPLES = re.compile(
    r"The intent '(\w+)' is listed in the domain file, but is not found in the NLU training data"
)
# Rasa's docs list a retrieval intent in the domain; Rasa then adds it again from the NLU data.
DUPLICATE_INTENTS = re.compile(
    r"duplicated intents have been found across multiple domain files: ([\w, ]+)"
)


def source(folder: str) -> str:
    return "\n".join(p.read_text() for p in (PROJECT_DIR / folder).rglob("*.py"))


def form_ask_responses() -> set[str]:
    forms = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text()).get("forms") or {}
    return {f"utter_ask_{slot}" for form in forms.values() for slot in form["required_slots"]}


def retrieval_intents() -> set[str]:
    intents = set()
    for path in (PROJECT_DIR / "data" / "nlu").glob("*.yml"):
        for item in yaml.safe_load(path.read_text()).get("nlu", []):
            if "/" in item.get("intent", ""):
                intents.add(item["intent"].split("/")[0])
    return intents


def explained(line: str) -> bool:
    if unused := UNUSED_RESPONSE.search(line):
        name = unused.group(1)
        return f'"{name}"' in source("actions") or name in form_ask_responses()
    if no_examples := NO_EXAMPLES.search(line):
        setters = source("pipeline") + source("content") + source("bot")
        return f'"{no_examples.group(1)}"' in setters
    if duplicates := DUPLICATE_INTENTS.search(line):
        return set(duplicates.group(1).split(", ")) <= retrieval_intents()
    return False


def test_rasa_data_validate_reports_no_problems(rasa_cli):
    code, output = rasa_cli["validate"].result()
    assert code == 0, output
    warnings = [line for line in output.splitlines() if "UserWarning" in line]
    unexplained = [line for line in warnings if not explained(line)]
    assert not unexplained, "\n".join(unexplained)


def test_the_action_server_registers_exactly_the_domains_custom_actions():
    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())
    assert sorted(executor.actions) == sorted(domain["actions"])


def test_test_stories_follow_the_trained_dialogue_policy(rasa_cli):
    """Every path of `tests/stories/` (greetings, knowledge and sequencing, safety, handoff,
    forget me) is predicted action by action by the trained model, without any server."""
    run = rasa_cli["stories"]
    code, output = run.result()
    failed = run.out_dir / "failed_test_stories.yml"
    assert code == 0, failed.read_text() if failed.exists() else output[-3000:]
