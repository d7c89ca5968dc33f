"""The gateway's own replies: the assistant's red-flag wording, one clinic phone, Rasa's shape."""

from __future__ import annotations

import pytest
import yaml
from rasa.core.nlg import TemplatedNaturalLanguageGenerator

from actions.safety import describe as describe_in_actions
from bot.gateway.own_replies import (
    DOMAIN_FILE,
    RED_FLAG_RESPONSE,
    OwnReplies,
    describe,
    red_flag_wording,
)
from settings.bot import Settings

SETTINGS = Settings(
    _env_file=None, clinic_phone="617-555-0123", emergency_number="112", crisis_line="116 123"
)


@pytest.fixture(scope="module")
def replies() -> OwnReplies:
    return OwnReplies.from_settings(SETTINGS)


def test_red_flag_reply_is_word_for_word_what_rasa_makes_of_the_assistants_response(replies):
    signs = ["numbness or tingling", "loss of bladder control"]
    domain = yaml.safe_load(DOMAIN_FILE.read_text())
    by_rasa = TemplatedNaturalLanguageGenerator(domain["responses"]).generate_from_slots(
        RED_FLAG_RESPONSE,
        {},
        "rest",
        signs=describe_in_actions(signs),
        clinic_phone="617-555-0123",
        emergency_number="112",
        crisis_line="116 123",
    )
    (text, custom) = replies.red_flag("p1", signs)
    assert text == {"recipient_id": "p1", "text": by_rasa["text"]}
    assert custom == {"recipient_id": "p1", "custom": {"gateway_reply": "red_flag"}}


def test_red_flag_reply_names_the_signs_the_detector_found(replies):
    signs = replies.warning_signs("my legs went numb this morning and I can't control my bladder")
    assert signs
    text = replies.red_flag("p1", signs)[0]["text"]
    assert all(sign in text for sign in signs)


def test_describe_joins_signs_as_the_action_server_does():
    for signs in ([], ["a"], ["a", "b"], ["a", "b", "c"]):
        assert describe(signs) == describe_in_actions(signs)


def test_unavailable_reply_gives_the_clinic_phone_from_settings(replies):
    (text, custom) = replies.unavailable("p1")
    assert text["text"] == (
        "I could not answer just now. Please try again in a minute. For questions about your "
        "own care, call your care team at 617-555-0123."
    )
    assert custom["custom"] == {"gateway_reply": "unavailable"}


def test_question_about_a_sign_and_a_negated_sign_are_not_warning_signs(replies):
    assert replies.warning_signs("what is spinal cord compression?") is None
    assert replies.warning_signs("no numbness, what is a bone scan?") is None


def test_red_flag_wording_without_the_emergency_number_is_refused_at_start(tmp_path):
    domain = tmp_path / "domain.yml"
    domain.write_text(
        yaml.safe_dump(
            {"responses": {RED_FLAG_RESPONSE: [{"text": "Call your care team at {clinic_phone}."}]}}
        )
    )
    with pytest.raises(ValueError, match="crisis_line, emergency_number"):
        red_flag_wording(domain)


def test_red_flag_wording_with_a_value_the_gateway_lacks_is_refused_at_start():
    wording = "{signs}: call {clinic_phone}, {emergency_number} or {crisis_line}, {nurse_name}."
    with pytest.raises(ValueError, match="nurse_name"):
        OwnReplies(SETTINGS, wording)
