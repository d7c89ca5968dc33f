"""The review loop with the real processes: questions the assistant cannot answer reach the
staff's queue redacted; one is labelled, exported, the model retrained and loaded, and the
same question is answered.

The retrained model is loaded into the running Rasa through its HTTP API, and the session's
own model is loaded back afterwards, so the other tests see the assistant they expect.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from bot.supervisor.stack import Stack, texts
from settings import PROJECT_DIR
from tests.conftest import RASA_TOKEN, STAFF_TOKEN

pytestmark = pytest.mark.e2e

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}
NOT_SURE = "not sure what you mean"
# What a patient types, the personal data in it, and what staff may see of it.
UNANSWERABLE = [
    (
        "checks lineup pls, see www.example.org/ann-lee, 12/03/2025",
        ["12/03/2025", "example.org", "ann-lee"],
        "checks lineup pls, see <url>, <date>",
    ),
    (
        "rundown pls - email me at ann.lee@example.com or call 617-555-0199",
        ["ann.lee", "example.com", "617-555-0199"],
        "rundown pls - email me at <email> or call <phone>",
    ),
    (
        "my name is Zelda Quartermaine and I need the gist, MRN 4471209",
        ["Zelda", "Quartermaine", "4471209"],
        "my name is <name>",
    ),
]
TRAIN_TIMEOUT_SECONDS = 900


def new_sender() -> str:
    return f"review-{uuid.uuid4().hex[:12]}"


def rasa_api(stack: Stack, path: str) -> str:
    return f"http://127.0.0.1:{stack.rasa_port}{path}?token={RASA_TOKEN}"


def load_model(stack: Stack, model: Path) -> None:
    response = httpx.put(rasa_api(stack, "/model"), json={"model_file": str(model)}, timeout=300)
    assert response.status_code == 204, response.text


def retrain(reviewed: Path, out: Path) -> Path:
    """`make run`'s training, with the exported file beside the project's data."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    rasa = Path(sys.executable).with_name("rasa")
    command = [str(rasa), "train", "--data", "data", str(reviewed), "--out", str(out)]
    command += ["--fixed-model-name", "reviewed", "--quiet"]
    result = subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=TRAIN_TIMEOUT_SECONDS,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return out / "reviewed.tar.gz"


def export(stack: Stack, out: Path) -> str:
    env = {**os.environ, "TRACKER_STORE_URL": f"sqlite:///{stack.tracker_db}"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.insights.export", "--out", str(out)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_unanswered_questions_are_queued_redacted_labelled_and_then_answered(
    stack: Stack, tmp_path: Path
):
    asked, personal, redacted = UNANSWERABLE[0]
    before = texts(stack.say(new_sender(), asked))
    assert NOT_SURE in before
    for typed, _, _ in UNANSWERABLE[1:]:
        stack.say(new_sender(), typed)

    queue = httpx.get(f"{stack.url}/staff/api/review", headers=STAFF).json()["questions"]
    queued = {item["text"]: item for item in queue}
    assert {shown for _, _, shown in UNANSWERABLE} <= set(queued)
    every_datum = [datum for _, data, _ in UNANSWERABLE for datum in data]
    assert not [datum for datum in every_datum if datum in str(queue)]

    labelled = httpx.post(
        f"{stack.url}/staff/api/review/{queued[redacted]['id']}",
        json={"action": "label", "intent": "ask_test_list", "reviewer": "E2E Reviewer"},
        headers=STAFF,
    )
    assert labelled.status_code == 200, labelled.text

    reviewed = tmp_path / "reviewed.yml"
    assert "reviewed examples" in export(stack, reviewed)
    examples = yaml.safe_load(reviewed.read_text())["nlu"]
    # Other tests on the shared stack (the staff page's) may have labelled questions too.
    labelled_as = {e["intent"]: e["examples"].splitlines() for e in examples}
    assert f"- {redacted}" in labelled_as["ask_test_list"]

    model = retrain(reviewed, tmp_path / "models")
    expected = texts(stack.say(new_sender(), "/ask_test_list")).splitlines()[0]
    load_model(stack, model)
    try:
        after = texts(stack.say(new_sender(), asked))
    finally:
        load_model(stack, PROJECT_DIR / "models" / "bonemets.tar.gz")
    assert NOT_SURE not in after
    assert after.splitlines()[0] == expected


def test_the_queue_and_the_counts_hold_none_of_the_personal_data_typed(stack: Stack):
    for typed, _, _ in UNANSWERABLE:
        stack.say(new_sender(), typed)
    # Rasa has saved the turn (and recorded it) before it answers.
    with sqlite3.connect(stack.tracker_db) as db:
        stored = "\n".join(
            str(value)
            for table in ("insight_turns", "review_queue")
            for row in db.execute(f"select * from {table}")
            for value in row
        )
    assert all(shown in stored for _, _, shown in UNANSWERABLE)
    for _, data, _ in UNANSWERABLE:
        for datum in data:
            assert datum not in stored
