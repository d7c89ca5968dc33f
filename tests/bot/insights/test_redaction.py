"""Redaction: personal data out, the question's words kept."""

from __future__ import annotations

import pytest

from bot.insights.redaction import redact

# (what a patient typed, the personal data in it that must not survive, what must remain)
TRICKY = [
    # anything after "my name is", however it is written
    ("My name is Ann Lee-Smith and what is a bone scan?", ["Ann", "Lee-Smith"], "My name is"),
    ("hi, my name's Óscar Núñez", ["Óscar", "Núñez"], "hi,"),
    ("my names bob jones, pet scan?", ["bob", "jones"], "my names"),
    ("MY NAME IS\nJANE DOE\nwhat is lytic", ["JANE", "DOE"], "MY NAME IS"),
    ("Name: Priya Patel", ["Priya", "Patel"], "Name:"),
    # e-mail addresses, also spelled out
    ("email me at ann.lee+scan@example.co.uk please", ["ann.lee", "example.co.uk"], "email me"),
    ("write to ann at gmail dot com", ["ann at gmail", "gmail"], "write to"),
    ("its bob [at] aol.com", ["bob", "aol.com"], "its"),
    # web addresses
    ("see https://mychart.clinic.org/results?id=77 ok", ["mychart", "id=77"], "see"),
    ("www.example.org/ann has my scans", ["example.org", "/ann"], "has my scans"),
    ("portal.riverbend.health/me says lytic", ["riverbend", "/me"], "says lytic"),
    # dates in every common form
    ("my scan was on 12/03/2024", ["12/03/2024"], "my scan was on"),
    ("booked 2025-01-07 for the MRI", ["2025-01-07"], "for the MRI"),
    ("MRI on 3.12.24 and CT 4/5", ["3.12.24", "4/5"], "MRI on"),
    ("born 3rd of March 1956", ["3rd of March", "1956"], "born"),
    ("bone scan March 3, 2024 then biopsy", ["March 3", "2024"], "then biopsy"),
    ("results came Jan 15th", ["Jan 15th"], "results came"),
    ("seen in September 2023", ["September 2023"], "seen in"),
    ("is it done on the 5th?", ["5th"], "is it done"),
    # phone numbers
    ("call me on (312) 555-0142", ["312", "555-0142"], "call me on"),
    ("my mobile is 07700 900123", ["07700", "900123"], "my mobile is"),
    ("ring +44 20 7946 0958 after 5", ["7946", "0958", "+44"], "after 5"),
    ("555.010.9999 is mine", ["555.010.9999"], "is mine"),
    ("SSN 123-45-6789", ["123-45-6789"], "SSN"),
    ("five five five zero one four two", ["five five five"], ""),
    # numbers longer than three digits
    ("MRN88812345 what does my report mean", ["88812345"], "what does my report mean"),
    ("my ALP was 1,250", ["1,250"], "my ALP was"),
    ("calcium 10.5 and alp 1400", ["1400"], "calcium 10.5"),
    ("zip 60601", ["60601"], "zip"),
]


@pytest.mark.parametrize(("typed", "personal", "kept"), TRICKY)
def test_personal_data_is_replaced_and_the_question_kept(typed, personal, kept):
    redacted = redact(typed)
    for datum in personal:
        assert datum not in redacted, redacted
    assert kept in redacted
    assert "<" in redacted and ">" in redacted


@pytest.mark.parametrize(
    "question",
    [
        "what is a bone scan",
        "does a CT show it?",
        "I am 67 and had 2 scans",
        "is 3 hours long for an MRI",
        "what does T12 mean on my MRI",
        "look at scans.They are blurry",
        "my dad may need a PET scan",
        "what is the difference between a 1.5T and 3T MRI",
    ],
)
def test_a_question_without_personal_data_is_kept_as_typed(question):
    assert redact(question) == question


def test_placeholders_name_what_was_taken_out():
    assert redact("I'm Ann, 312-555-0142, ann@example.com, 12/03/2024, MRN 12345") == (
        "I'm Ann, <phone>, <email>, <date>, MRN <number>"
    )
    assert redact("see www.example.org, my name is Ann") == "see <url>, my name is <name>"
