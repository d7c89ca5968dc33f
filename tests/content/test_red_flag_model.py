"""The learnt second opinion on warning signs: it adds alarms the rules' wording misses, only where
the rules read a symptom word, and never where they set one aside."""

from __future__ import annotations

import pytest

from content.red_flag_model import NONE, SecondOpinion, train, training_set
from content.red_flags import RedFlagDetector, load_detector, load_rules


@pytest.fixture(scope="module")
def detectors() -> tuple[RedFlagDetector, RedFlagDetector]:
    rules_alone = load_detector(second_opinion=False)
    model = train(rules_alone.normalize, rules_alone.rules.categories)
    return rules_alone, RedFlagDetector(load_rules(), SecondOpinion(model))


@pytest.mark.parametrize(
    "message",
    [
        "i just want to go to sleep and have it all stop",
        "the pain in my thigh is new and I heard a click when I stood up",
        "it hurts to take a deep breath and my heart is racing",
    ],
)
def test_it_adds_an_alarm_the_rules_wording_misses(detectors, message):
    rules_alone, with_opinion = detectors
    assert not rules_alone.screen(message).alarm
    screening = with_opinion.screen(message)
    assert screening.alarm
    assert screening.category in {"self_harm", "fracture", "chest_breathing", "spinal_cord"}


@pytest.mark.parametrize(
    "message",
    [
        # No symptom word at all: it is not asked.
        "what does the weather look like tomorrow",
        "what is a bone scan and how long does it take",
        # Set aside by the rules on purpose (known, past, negated, one mild symptom).
        "my back has ached for ten years, the physio knows all about it, which scan is best?",
        "I broke my wrist years ago, will it show on the bone scan?",
        "no numbness or weakness, just wondering what an MRI shows",
        "I feel a bit sick",
    ],
)
def test_it_stays_silent_where_the_rules_found_nothing_to_ask_about(detectors, message):
    _, with_opinion = detectors
    assert not with_opinion.screen(message).alarm


def test_it_learns_from_development_data_labelled_by_category_or_none():
    texts, labels = training_set(load_rules().categories)
    assert len(texts) == len(labels) > 1000
    assert set(labels) == {
        NONE,
        "spinal_cord",
        "high_calcium",
        "fracture",
        "chest_breathing",
        "self_harm",
    }


def test_a_sign_the_detector_cannot_name_stops_the_build():
    with pytest.raises(ValueError, match="unknown sign 'spinal_cord'"):
        training_set(["self_harm", "chest_breathing", "fracture", "high_calcium"])
