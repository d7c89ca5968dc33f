"""Reading turns from the events Rasa saves, built with Rasa's own event classes."""

from __future__ import annotations

from datetime import date

from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from bot.insights.turns import gateway_turn, read_turns

NOON = 1_764_504_000.0  # 2025-11-30 12:00 UTC


def user(
    text: str,
    intent: str,
    confidence: float = 0.9,
    at: float = NOON,
    channel: str = "rest",
    **parse,
) -> UserUttered:
    parse_data = {"intent": {"name": intent, "confidence": confidence}, "text": text, **parse}
    return UserUttered(
        text,
        intent=parse_data["intent"],
        entities=parse.get("entities", []),
        parse_data=parse_data,
        timestamp=at,
        input_channel=channel,
    )


def bot(text: str | None = None, response: str | None = None, custom: dict | None = None, at=NOON):
    metadata = {"utter_action": response} if response else {}
    return BotUttered(text, data={"custom": custom}, metadata=metadata, timestamp=at)


def turns_of(*events, form_active: bool = False):
    return list(read_turns([e.as_dict() for e in events], form_active=form_active))


def test_an_answer_written_from_the_content_is_answered_with_its_subject_and_latency():
    (turn,) = turns_of(
        user("what is a bone scan", "ask_what_is", 0.97),
        ActionExecuted("action_explain", timestamp=NOON + 0.1),
        bot("A bone scan makes a picture of your whole skeleton.", at=NOON + 0.2),
        bot(custom={"source": {"section": "Bone scan"}}, at=NOON + 0.2),
        SlotSet("current_test", "bone_scan", timestamp=NOON + 0.2),
        ActionExecuted("action_listen", timestamp=NOON + 0.25),
    )
    assert turn.answered and not (turn.fallback or turn.declined or turn.red_flag)
    assert (turn.subject_kind, turn.subject_id) == ("test", "bone_scan")
    assert turn.latency_ms == 250
    assert turn.day == date(2025, 11, 30)
    assert turn.channel == "web"
    assert turn.question is None


def test_a_first_message_opens_a_conversation():
    first, second = turns_of(
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        user("hi", "greet"),
        bot("Hi!", response="utter_welcome"),
        ActionExecuted("action_listen"),
        user("thanks", "thanks"),
        bot("You're welcome.", response="utter_thanks"),
    )
    assert first.new_conversation and not second.new_conversation
    assert not first.answered  # a greeting is conversation, not an answer


def test_not_sure_is_a_fallback_queued_with_the_guess():
    (turn,) = turns_of(
        user("rundown pls", "nlu_fallback", 0.21),
        ActionExecuted("action_suggest_topics"),
        bot("Sorry, I'm not sure what you mean.", response="utter_not_sure"),
    )
    assert turn.fallback and not turn.answered
    assert turn.question.reason == "fallback"
    assert (turn.question.text, turn.question.intent, turn.question.confidence) == (
        "rundown pls",
        "nlu_fallback",
        0.21,
    )


def test_a_decline_keeps_its_kind_and_is_queued_only_when_it_named_a_test():
    named = {"entities": [{"entity": "test", "value": "mri", "start": 22, "end": 25}]}
    (with_test,) = turns_of(
        user(
            "how much does an MRI cost", "out_of_scope", 0.99, reading={"decline": "costs"}, **named
        ),
        bot("I don't have cost facts.", response="utter_out_of_scope/costs"),
    )
    (without,) = turns_of(
        user("tell me a joke", "out_of_scope", 0.95, reading={"decline": "chitchat"}),
        bot("I only explain these tests.", response="utter_out_of_scope/chitchat"),
    )
    assert with_test.declined == "costs" and with_test.question.reason == "declined_with_subject"
    assert (with_test.subject_kind, with_test.subject_id) == ("test", "mri")
    assert without.declined == "chitchat" and without.question is None


def test_the_page_doesnt_say_is_not_an_answer_even_with_what_the_page_says():
    (turn,) = turns_of(
        user(
            "does a bone scan hurt",
            "ask_not_on_page",
            1.0,
            reading={"not_on_page": ["pain"], "subject": {"kind": "test", "id": "bone_scan"}},
        ),
        bot("About the bone scan: the page doesn't say.", response="utter_not_on_page_about"),
        bot("A bone scan makes a picture of your whole skeleton."),
    )
    assert turn.not_on_page and not turn.answered
    assert turn.question.reason == "not_on_page"
    assert turn.subject_id == "bone_scan"


def test_a_weak_guess_is_queued_for_review():
    (turn,) = turns_of(
        user("give me the whole rundown", "ask_limits", 0.5),
        bot("Which test do you mean?", response="utter_ask_which_test"),
    )
    assert turn.question.reason == "low_confidence"
    assert not turn.answered


def test_a_warning_sign_is_counted_and_its_words_are_never_queued():
    (turn,) = turns_of(
        user("my back hurts and my legs are numb", "red_flag", 1.0),
        bot("Please call your care team now.", response="utter_red_flag"),
    )
    assert turn.red_flag and turn.question is None


def test_what_a_form_asked_for_is_never_queued_and_a_sent_alert_counts_as_a_nurse_call_back():
    (turn,) = turns_of(
        user("312-555-0142", "nlu_fallback", 0.1),
        ActionExecuted("nurse_callback_form"),
        ActiveLoop(None),
        ActionExecuted("action_send_nurse_alert"),
        bot("Done. I sent your request.", response="utter_nurse_alert_sent"),
        form_active=True,
    )
    assert turn.nurse and not turn.fallback
    assert turn.question is None


def test_forget_me_is_counted_and_not_queued():
    (turn,) = turns_of(
        user("yes", "affirm", 0.4),
        bot(custom={"forget_conversation": True}),
    )
    assert turn.forgot and turn.question is None


def test_a_button_press_is_never_queued():
    (turn,) = turns_of(user("/ask_what_is", "ask_what_is", 0.3))
    assert turn.question is None


def test_counts_hold_no_text_and_no_sender():
    (turn,) = turns_of(
        user("my name is Ann, rundown", "nlu_fallback", 0.2), bot(response="utter_not_sure")
    )
    counts = turn.counts()
    assert "question" not in counts
    assert not any("Ann" in str(value) for value in counts.values())
    assert set(counts) >= {"day", "channel", "intent", "answered", "latency_ms", "gateway_reply"}


def test_slack_and_teams_are_named_as_the_clinic_knows_them():
    assert turns_of(user("hi", "greet", channel="slack"))[0].channel == "slack"
    assert turns_of(user("hi", "greet", channel="botframework"))[0].channel == "teams"


def test_the_gateways_own_reply_is_a_turn_of_its_own():
    turn = gateway_turn("red_flag", date(2025, 11, 30))
    assert turn.red_flag and turn.gateway_reply == "red_flag" and turn.channel == "web"
    assert not gateway_turn("unavailable", date(2025, 11, 30)).red_flag
