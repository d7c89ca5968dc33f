"""`/staff`: sign-in, the JSON endpoints, the CSV, labelling, and the page itself.

The conversation store is a real SQLite file, filled by the same recorder Rasa uses.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from bot.gateway.main import create_app
from bot.gateway.staff.auth import SESSION_COOKIE
from bot.insights.recorder import TurnRecorder, today
from bot.insights.turns import Question, Turn
from settings.bot import Settings
from tests.bot.insights.conftest import a_turn

TOKEN = "s7aff-t0ken-for-the-gateway-tests"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
XSS = "<img src=x onerror=alert(1)> rundown pls"


def turn(**changes) -> Turn:
    return a_turn(**{"latency_ms": 35, **changes})


def unanswered(text: str) -> Turn:
    return turn(
        intent="nlu_fallback",
        subject_kind=None,
        subject_id=None,
        answered=False,
        fallback=True,
        question=Question(text, "fallback", "nlu_fallback", 0.21),
    )


@pytest.fixture
def store_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture
def staff(make_client, store_url) -> TestClient:
    return make_client(staff_token=TOKEN, tracker_store_url=store_url)


@pytest.fixture
def queued(staff, store_url) -> list[dict]:
    """Two unanswered questions and some counts, as Rasa records them."""
    engine = create_engine(store_url)
    TurnRecorder(engine, True, 30).record(
        "patient-1",
        [
            turn(new_conversation=True),
            unanswered("rundown pls, call 312-555-0142"),
            unanswered(XSS),
            turn(red_flag=True, answered=False, subject_id=None, subject_kind=None),
        ],
    )
    engine.dispose()
    return staff.get("/staff/api/review", headers=BEARER).json()["questions"]


def signed_in(staff: TestClient, name: str = "Dana Reyes") -> TestClient:
    response = staff.post(
        "/staff/login",
        data={"name": name, "token": TOKEN},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return staff


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/staff/api/summary"),
        ("get", "/staff/api/summary.csv"),
        ("get", "/staff/api/review"),
        ("post", "/staff/api/review/1"),
        ("post", "/staff/review/1"),
    ],
)
def test_every_staff_address_answers_401_without_credentials(staff, method, path):
    response = getattr(staff, method)(path)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_the_staff_page_without_credentials_is_the_sign_in_form_with_401(staff):
    response = staff.get("/staff")
    assert response.status_code == 401
    assert '<form class="login" method="post" action="/staff/login">' in response.text
    assert "What patients asked" not in response.text


@pytest.mark.parametrize("authorization", [f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer"])
def test_a_wrong_bearer_token_is_refused(staff, authorization):
    assert staff.get(
        "/staff/api/summary", headers={"Authorization": authorization}
    ).status_code == (401)


def test_signing_in_sets_a_strict_http_only_cookie_that_opens_the_page(staff):
    response = staff.post(
        "/staff/login", data={"name": "Dana Reyes", "token": TOKEN}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/staff" in cookie
    page = staff.get("/staff")
    assert page.status_code == 200
    assert "Signed in as Dana Reyes" in page.text
    assert staff.get("/staff/api/summary").status_code == 200


def test_a_wrong_token_at_sign_in_shows_the_form_again_with_what_went_wrong(staff):
    response = staff.post("/staff/login", data={"name": "Dana", "token": "guess"})
    assert response.status_code == 401
    assert "That token is not right" in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert staff.get("/staff").status_code == 401


def test_signing_out_closes_the_page(staff):
    signed_in(staff)
    staff.post("/staff/logout")
    assert staff.get("/staff").status_code == 401


def test_a_cookie_signed_with_another_token_is_refused(make_client, store_url):
    other = make_client(staff_token="an0ther-staff-t0ken-entirely", tracker_store_url=store_url)
    signed = other.post(
        "/staff/login",
        data={"name": "Dana", "token": "an0ther-staff-t0ken-entirely"},
        follow_redirects=False,
    )
    forged = signed.cookies[SESSION_COOKIE]
    staff = make_client(staff_token=TOKEN, tracker_store_url=store_url)
    staff.cookies.set(SESSION_COOKIE, forged)
    assert staff.get("/staff/api/summary").status_code == 401


def test_production_without_a_staff_token_has_no_staff_page(make_client):
    client = make_client(
        environment="production", clinic_phone="312-555-0199", clinic_name="Lakeside Oncology"
    )
    response = client.get("/staff/api/summary", headers=BEARER)
    assert response.status_code == 503
    assert response.json()["error"] == "staff_page_off"
    assert client.get("/staff").status_code == 503


def test_development_without_a_staff_token_makes_one_and_prints_it_once(fake_rasa, capsys):
    app = create_app(Settings(_env_file=None))
    with TestClient(app) as client:
        printed = capsys.readouterr().out
        (token,) = re.findall(r"set STAFF_TOKEN to keep one\): (\S+)", printed)
        made = {"Authorization": f"Bearer {token}"}
        assert client.get("/staff/api/summary", headers=made).status_code == 200
        assert printed.count(token) == 1


def test_the_summary_counts_what_rasa_recorded(staff, queued):
    summary = staff.get("/staff/api/summary?days=7", headers=BEARER).json()
    assert summary["days"] == 7 and summary["to"] == today().isoformat()
    totals = summary["totals"]
    assert (totals["messages"], totals["conversations"], totals["red_flag"]) == (4, 1, 1)
    assert totals["fallback"] == 2
    assert summary["rates"]["answered"] == 0.25
    assert summary["subjects"][0]["name"] == "bone scan"


@pytest.mark.parametrize("days", [0, 367, "many"])
def test_a_period_out_of_range_is_a_clear_422(staff, days):
    response = staff.get(f"/staff/api/summary?days={days}", headers=BEARER)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_the_csv_download_has_a_row_per_day(staff, queued):
    response = staff.get("/staff/api/summary.csv?days=30", headers=BEARER)
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 30
    assert rows[-1]["day"] == today().isoformat() and rows[-1]["messages"] == "4"


def test_the_review_queue_is_redacted_and_names_no_conversation(staff, queued):
    assert [q["text"] for q in queued] == ["rundown pls, call <phone>", XSS]
    assert "patient-1" not in str(queued)
    answer = staff.get("/staff/api/review", headers=BEARER).json()
    assert (answer["on"], answer["retention_days"]) == (True, 30)


def test_a_script_labels_a_question_through_the_api(staff, queued):
    first = queued[0]["id"]
    response = staff.post(
        f"/staff/api/review/{first}",
        json={
            "action": "label",
            "intent": "ask_test_list",
            "subject": "test:xray",
            "reviewer": "Kim",
        },
        headers=BEARER,
    )
    assert response.status_code == 200
    assert response.json()["decision"]["reviewer"] == "Kim"
    assert response.json()["decision"]["subject"] == {"kind": "test", "id": "xray"}
    pending = staff.get("/staff/api/review", headers=BEARER).json()["questions"]
    assert first not in [q["id"] for q in pending]


@pytest.mark.parametrize(
    ("decision", "says"),
    [
        ({"action": "label", "intent": "red_flag"}, "intent must be one of"),
        ({"action": "label", "intent": "ask_made_up"}, "intent must be one of"),
        ({"action": "not_on_page", "topic": "parking"}, "topic must be one of"),
        ({"action": "label", "intent": "ask_what_is", "subject": "test:scanner"}, "subject"),
        ({"action": "approve"}, "action"),
        ({"action": "discard", "extra": 1}, "extra"),
    ],
)
def test_a_decision_the_assistant_cannot_learn_is_a_clear_422(staff, queued, decision, says):
    response = staff.post(f"/staff/api/review/{queued[0]['id']}", json=decision, headers=BEARER)
    assert response.status_code == 422
    assert says in response.json()["detail"]


def test_deciding_on_a_question_that_is_gone_is_404(staff, queued):
    response = staff.post("/staff/api/review/999", json={"action": "discard"}, headers=BEARER)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_the_page_form_labels_a_question_with_the_signed_in_reviewer(staff, queued):
    signed_in(staff, "Dana Reyes")
    first = queued[0]["id"]
    response = staff.post(
        f"/staff/review/{first}",
        data={"decision": "not_on_page:duration", "subject": "test:bone_scan"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff?saved={first}#review"
    (reviewed,) = staff.get("/staff/api/review?status=reviewed").json()["questions"]
    assert reviewed["status"] == "not_on_page"
    assert reviewed["decision"]["reviewer"] == "Dana Reyes"
    assert reviewed["decision"]["topic"] == "duration"
    page = staff.get(f"/staff?saved={first}")
    assert f"Saved your decision on question {first}" in page.text


def test_the_page_shows_counts_charts_and_the_queue_escaped(staff, queued):
    signed_in(staff)
    page = staff.get("/staff")
    assert page.status_code == 200
    assert page.text.count('<svg role="img"') == 3
    assert "rundown pls, call &lt;phone&gt;" in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "<img src=x" not in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert page.headers["cache-control"] == "no-store"


def test_the_gateways_own_reply_is_counted_when_rasa_fails(staff, fake_rasa):
    fake_rasa.rasa_up = False
    reply = staff.post("/webhooks/rest/webhook", json={"sender": "p9", "message": "hello"})
    assert reply.json()[-1]["custom"] == {"gateway_reply": "unavailable"}
    totals = staff.get("/staff/api/summary", headers=BEARER).json()["totals"]
    assert (totals["gateway_replies"], totals["messages"]) == (1, 1)


def test_the_patient_pages_never_link_to_the_staff_page(staff):
    for path in ("/", "/your-visit", "/widget.js"):
        assert "/staff" not in staff.get(path).text
