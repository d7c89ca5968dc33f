"""Staff sign-in: the token, the signed session cookie, the reviewer's name."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.gateway.staff.auth import SESSION_SECONDS, StaffAuth, valid_reviewer
from settings.bot import Settings

AUTH = StaffAuth("s7aff-t0ken-for-the-auth-tests")
NOW = 1_800_000_000.0


def test_a_session_lasts_a_working_day_and_no_longer():
    cookie = AUTH.session_cookie("Dana Reyes", now=NOW)
    assert AUTH.reviewer_of(cookie, now=NOW + SESSION_SECONDS - 1) == "Dana Reyes"
    assert AUTH.reviewer_of(cookie, now=NOW + SESSION_SECONDS + 1) is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),  # another signature
        lambda c: c.split(".")[0],  # no signature
        lambda c: "e30." + c.split(".")[1],  # another payload, the old signature
        lambda c: c + ".x",
        lambda c: "",
    ],
)
def test_a_changed_cookie_is_refused(tamper):
    assert AUTH.reviewer_of(tamper(AUTH.session_cookie("Dana", now=NOW)), now=NOW) is None


def test_a_new_token_signs_everyone_out():
    cookie = AUTH.session_cookie("Dana", now=NOW)
    assert StaffAuth("an0ther-staff-t0ken-entirely").reviewer_of(cookie, now=NOW) is None


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ("Bearer s7aff-t0ken-for-the-auth-tests", True),
        ("bearer s7aff-t0ken-for-the-auth-tests", True),
        ("Bearer s7aff-t0ken-for-the-auth-test", False),
        ("Bearer  ", False),
        (None, False),
    ],
)
def test_scripts_send_the_token_as_a_bearer(header, matches):
    assert AUTH.bearer_matches(header) is matches


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Dana   Reyes ", "Dana Reyes"),
        ("O'Neil-Ng Jr.", "O'Neil-Ng Jr."),
        ("Zoë", "Zoë"),
        ("<script>", None),
        ("", None),
        ("1337", None),
        ("x" * 41, None),
    ],
)
def test_a_reviewers_name_is_letters_and_a_little_punctuation(typed, kept):
    assert valid_reviewer(typed) == kept


def test_without_a_token_development_makes_one_and_production_has_no_page():
    made = StaffAuth.from_settings(Settings(_env_file=None))
    assert made.on and made.made_here and len(made.token) >= 32
    production = Settings(
        _env_file=None,
        environment="production",
        clinic_phone="312-555-0199",
        clinic_name="Lakeside Oncology",
    )
    assert not StaffAuth.from_settings(production).on


def test_production_refuses_a_placeholder_staff_token():
    with pytest.raises(ValidationError, match="STAFF_TOKEN is a placeholder"):
        Settings(
            _env_file=None,
            environment="production",
            clinic_phone="312-555-0199",
            clinic_name="Lakeside Oncology",
            staff_token="change-me-please",
        )
