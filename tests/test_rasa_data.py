"""`rasa data validate` is clean: domain, NLU data, stories and rules agree."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from bot.settings import PROJECT_DIR

# Responses that only custom actions send are reported as unused by the validator; that is
# expected, as long as an action really sends them. So are those a form asks its slots with.
UNUSED_RESPONSE = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule")
# An intent that only an NLU component sets (the red-flag override) has no training examples.
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
        return f'"{no_examples.group(1)}"' in source("pipeline")
    if duplicates := DUPLICATE_INTENTS.search(line):
        return set(duplicates.group(1).split(", ")) <= retrieval_intents()
    return False


def test_rasa_data_validate_reports_no_problems():
    rasa = Path(sys.executable).with_name("rasa")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [str(rasa), "data", "validate"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    warnings = [line for line in output.splitlines() if "UserWarning" in line]
    unexplained = [line for line in warnings if not explained(line)]
    assert not unexplained, "\n".join(unexplained)
