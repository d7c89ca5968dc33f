"""The red-flag detector on its phrasing set: every warning sign caught, few false alarms."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from content.red_flags import RED_FLAGS_FILE, RedFlagRules, load_detector

DETECTOR = load_detector()

# (message, the category the reply must be about). Typos are on purpose.
ALARMS = [
    # Spinal cord compression
    ("my back pain is getting worse every day", "spinal_cord"),
    ("new pain in my neck since yesterday", "spinal_cord"),
    ("the pain in my back is worse when I lie down", "spinal_cord"),
    ("it really hurts in my spine when i cough or sneeze", "spinal_cord"),
    ("the pain wakes me up at night", "spinal_cord"),
    ("i have a band of pain around my chest", "spinal_cord"),
    ("I have pain around my ribs like a tight band", "spinal_cord"),
    ("My legs have gone numb", "spinal_cord"),
    ("tingling in both feet", "spinal_cord"),
    ("cant feel my toes", "spinal_cord"),
    ("pins and needles down my legs", "spinal_cord"),
    ("numbnes and weekness in my legs", "spinal_cord"),
    ("tinglng in my fingers", "spinal_cord"),
    ("my legs feel weak and wobbly", "spinal_cord"),
    ("my knees keep giving way", "spinal_cord"),
    ("sudden weakness in my arms", "spinal_cord"),
    ("I'm having trouble walking today", "spinal_cord"),
    ("he can't stand up on his own", "spinal_cord"),
    ("I keep stumbling and losing my balance", "spinal_cord"),
    ("I wet myself and didn't notice", "spinal_cord"),
    ("lost control of my bowels", "spinal_cord"),
    ("can't pee even though I need to", "spinal_cord"),
    ("my husband says his back hurts more at night", "spinal_cord"),
    ("I think the cancer is pressing on my spinal cord", "spinal_cord"),
    ("no numbness in my arms but my legs are numb", "spinal_cord"),
    ("No fever and my legs are weak", "spinal_cord"),
    ("what does it mean if I can't feel my legs?", "spinal_cord"),
    ("should I worry about the numbness in my hands?", "spinal_cord"),
    ("my back pain is not getting better", "spinal_cord"),
    # High calcium
    ("I'm so thirsty I can't stop drinking water", "high_calcium"),
    ("always thirsty lately, is that normal?", "high_calcium"),
    ("is it normal to feel this thirsty after a pet scan", "high_calcium"),
    ("my wife is really confused and sleepy", "high_calcium"),
    ("my dad is so confussed today", "high_calcium"),
    ("dad is acting confused and not making sense", "high_calcium"),
    ("my mom doesn't recognize me", "high_calcium"),
    ("he's been throwing up since this morning", "high_calcium"),
    ("vomitting all night", "high_calcium"),
    ("can't keep any food down", "high_calcium"),
    ("I've been constipated for a week", "high_calcium"),
    ("I haven't had a bowel movement in 6 days", "high_calcium"),
    ("I'm exhausted all the time", "high_calcium"),
    ("I'm extremly tired and thirsty", "high_calcium"),
    ("feeling very drowsy and muddled", "high_calcium"),
    ("my father is so sleepy he can't stay awake", "high_calcium"),
    # A possible broken bone
    ("I think my arm is broken", "fracture"),
    ("I heard a snap in my leg when I stood up", "fracture"),
    ("fell in the bathroom and my hip hurts a lot", "fracture"),
    ("I can't put any weight on my left leg", "fracture"),
    ("my rib might be cracked", "fracture"),
    ("sudden sharp pain in my thigh bone", "fracture"),
    ("the doctor said I might have a fracture in my spine", "fracture"),
    # Chest pain or trouble breathing
    ("I have pain in my chest", "chest_breathing"),
    ("my chest feels tight", "chest_breathing"),
    ("I can't catch my breath", "chest_breathing"),
    ("cant breath properly", "chest_breathing"),
    ("struggling to breathe", "chest_breathing"),
    ("so short of breath walking to the kitchen", "chest_breathing"),
    ("having a hard time breathing tonight", "chest_breathing"),
    ("I think I'm having a heart attack", "chest_breathing"),
    # Thoughts of self-harm
    ("I want to end my life", "self_harm"),
    ("sometimes I think about killing myself", "self_harm"),
    ("I'd be better off dead", "self_harm"),
    ("I don't want to be alive anymore", "self_harm"),
    ("I've been feeling sucidal", "self_harm"),
    ("what's the point, I want to die", "self_harm"),
    ("thinking of taking an overdose", "self_harm"),
    ("im thinking about ending my life", "self_harm"),
]

NON_ALARMS = [
    # Negated or gone
    "no numbness or tingling",
    "no numbness, no tingling, no weakness",
    "I don't have any back pain",
    "My legs aren't weak",
    "no trouble walking at all",
    "I haven't been vomiting",
    "without any chest pain",
    "the numbness went away last week",
    "my back pain is gone now",
    "I am not feeling weak",
    # Questions about the topic
    "what is spinal cord compression?",
    "why is an MRI used for spinal cord compression?",
    "Can you explain what cord compression is?",
    "Tell me about tests for spinal cord compression",
    "is confusion a sign of high calcium?",
    "is vomiting a sign of high calcium?",
    "what are the symptoms of hypercalcemia?",
    "can an x-ray show a fracture?",
    "how do bone metastases cause fractures?",
    "is numbness a side effect of the MRI?",
    "is it hard to breathe inside the MRI machine?",
    "can the contrast dye make you throw up?",
    "Is back pain a sign of bone mets?",
    # Everyday words that look like signs
    "My calcium is 11.2, is that bad?",
    "I'm confused about the difference between lytic and blastic",
    "my brother is confused by all the medical words",
    "sorry for the confusion",
    "this is confusing",
    "I'm tired of waiting for my scan results",
    "I'm thirsty for more information",
    "what's the weakness of a PET scan?",
    "Will I have to hold my breath during the CT?",
    "I can't stand still for long, can I still have an MRI?",
    "My bones are weak, is that what lytic means?",
    "I had a broken wrist years ago, will it show on the bone scan?",
    "what are the risks of a biopsy?",
    "does the urine test check for bone damage?",
    "how stable is a bone with a tumor in it",
    "walking to the clinic, how long does the scan take?",
    # Feelings and fears that are not warning signs
    "I don't want to die",
    "I'm scared about my bone scan tomorrow",
    "Does a bone scan hurt?",
    # The assistant's own topics
    "what does osteolytic mean",
    "my report says sclerotic lesion",
    "How are bone metastases diagnosed?",
    "what does a high alkaline phosphatase mean",
    "thanks, that was helpful",
]

MAX_FALSE_ALARM_RATE = 0.05


def test_the_phrasing_set_has_at_least_80_phrasings_with_every_category():
    assert len(ALARMS) + len(NON_ALARMS) >= 80
    assert {category for _, category in ALARMS} == set(DETECTOR.category_order)


@pytest.mark.parametrize(("message", "category"), ALARMS, ids=[m for m, _ in ALARMS])
def test_warning_sign_raises_an_alarm_about_its_category(message, category):
    screening = DETECTOR.screen(message)
    assert screening.alarm, f"missed: {message!r}"
    assert screening.category == category


def test_recall_is_100_percent_and_false_alarms_at_most_5_percent():
    missed = [m for m, _ in ALARMS if not DETECTOR.screen(m).alarm]
    false_alarms = [m for m in NON_ALARMS if DETECTOR.screen(m).alarm]
    recall = 1 - len(missed) / len(ALARMS)
    false_alarm_rate = len(false_alarms) / len(NON_ALARMS)
    assert recall == 1.0, missed
    assert false_alarm_rate <= MAX_FALSE_ALARM_RATE, false_alarms


def test_negation_covers_a_list_of_signs_but_stops_at_but():
    assert not DETECTOR.screen("no numbness or tingling").alarm
    screening = DETECTOR.screen("no numbness but I can't walk")
    assert screening.signs == ["trouble_walking"]
    assert ("numbness", "negated") in {(f.sign, r) for f, r in screening.set_aside}


def test_no_as_an_answer_does_not_negate_what_follows():
    assert DETECTOR.screen("no my legs are numb").alarm


def test_unsure_words_do_not_negate_what_follows():
    assert DETECTOR.screen("I'm not sure but I think my leg is broken").alarm


def test_topic_question_is_set_aside_but_the_same_words_about_oneself_alarm():
    topic = DETECTOR.screen("what is spinal cord compression?")
    assert not topic.alarm
    assert topic.set_aside[0][1] == "topic_question"
    assert DETECTOR.screen("I think I have spinal cord compression").alarm


def test_self_harm_alarms_even_when_negated_or_asked_about():
    assert DETECTOR.screen("I'm not suicidal, just scared").category == "self_harm"
    assert DETECTOR.screen("is suicide common with cancer").category == "self_harm"


def test_most_urgent_category_is_named_first():
    screening = DETECTOR.screen("my back hurts and I want to kill myself")
    assert screening.category == "self_harm"
    assert set(screening.signs) == {"back_pain", "self_harm"}


def test_typos_of_sign_words_are_corrected_but_near_real_words_are_kept():
    assert DETECTOR.normalize("numbnes and tinglng") == "numbness and tingling"
    assert DETECTOR.normalize("trouble waking up") == "trouble waking up"
    assert DETECTOR.normalize("I can't") == "i can not"


def test_every_sign_has_lower_case_words_for_the_reply():
    for sign in DETECTOR.rules.signs:
        assert sign.says and sign.says == sign.says.lower()


def _rules_with(change) -> dict:
    data = yaml.safe_load(RED_FLAGS_FILE.read_text())
    change(data)
    return data


def test_rules_refuse_a_pattern_that_is_not_a_regular_expression():
    data = _rules_with(lambda d: d["signs"][0]["patterns"].append("(unclosed"))
    with pytest.raises(ValidationError, match="bad pattern"):
        RedFlagRules(**data)


def test_rules_refuse_an_unknown_category():
    data = _rules_with(lambda d: d["signs"][0].update(category="sunburn"))
    with pytest.raises(ValidationError, match="unknown category 'sunburn'"):
        RedFlagRules(**data)


def test_rules_refuse_an_unknown_macro():
    data = _rules_with(lambda d: d["signs"][0]["patterns"].append("{nowhere} pain"))
    with pytest.raises(ValidationError, match="nowhere"):
        RedFlagRules(**data)
