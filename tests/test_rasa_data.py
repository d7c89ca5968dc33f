"""`rasa data validate` is clean: domain, NLU data, stories and rules agree."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_DIR

# Responses that only custom actions send are reported as unused by the validator; that is
# expected, as long as an action really sends them.
UNUSED_RESPONSE = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule")


def actions_source() -> str:
    return "\n".join(p.read_text() for p in (PROJECT_DIR / "actions").rglob("*.py"))


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
    unexplained = []
    for line in warnings:
        unused = UNUSED_RESPONSE.search(line)
        if not (unused and f'"{unused.group(1)}"' in actions_source()):
            unexplained.append(line)
    assert not unexplained, "\n".join(unexplained)
