"""What a reviewer may choose comes from the domain, the content and reading.yml."""

from __future__ import annotations

from bot.gateway.staff.choices import describe_intent, load_choices


def test_a_reviewer_chooses_among_what_the_assistant_knows():
    choices = load_choices()
    assert {"ask_what_is", "ask_test_list", "out_of_scope/costs", "talk_to_nurse"} <= set(
        choices.intents
    )
    assert choices.subjects["test:bone_scan"] == "bone scan"
    assert "term:lytic" in choices.subjects
    assert choices.topics["duration"] == "how long it takes"
    assert "other" in choices.topics


def test_what_no_persons_words_should_train_is_not_offered():
    intents = load_choices().intents
    assert not {"red_flag", "nurse_alert_follow_up", "ask_not_on_page", "out_of_scope"} & set(
        intents
    )


def test_intents_are_described_in_words():
    assert describe_intent("ask_what_it_shows") == "what it shows"
    assert describe_intent("out_of_scope/own_results") == "decline: own results"
