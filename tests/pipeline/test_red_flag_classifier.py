"""The Rasa NLU component: a warning sign overrides the predicted intent, nothing else does."""

from __future__ import annotations

from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.training_data.message import Message

from pipeline.red_flag_classifier import RedFlagClassifier


def predicted(text: str, intent: str = "ask_what_is", confidence: float = 0.97) -> Message:
    """A message as the intent classifier leaves it: a confident intent and a close runner-up."""
    ranking = [
        {"name": intent, "confidence": confidence},
        {"name": "ask_limits", "confidence": confidence - 0.02},
    ]
    message = Message(data={"text": text})
    message.set("intent", ranking[0], add_to_output=True)
    message.set("intent_ranking", ranking, add_to_output=True)
    return message


def classify(*messages: Message) -> list[Message]:
    return RedFlagClassifier(RedFlagClassifier.get_default_config()).process(list(messages))


def test_warning_sign_overrides_the_intent_and_reaches_the_parse_data():
    (message,) = classify(predicted("I can't feel my legs, what is an MRI?"))
    assert message.get("intent") == {"name": "red_flag", "confidence": 1.0}
    assert message.get("intent_ranking") == [{"name": "red_flag", "confidence": 1.0}]
    output = message.as_dict(only_output_properties=True)
    assert output["red_flag"] == {
        "category": "spinal_cord",
        "reply": "urgent",
        "label": "possible spinal cord compression signs",
        "signs": ["numbness"],
        "says": ["numbness or tingling"],
    }


def test_message_without_a_warning_sign_is_left_as_nlu_predicted():
    original = predicted("what is spinal cord compression?")
    (message,) = classify(original)
    assert message.get("intent")["name"] == "ask_what_is"
    assert message.get("red_flag") is None


def test_fallback_classifier_after_it_never_turns_a_red_flag_into_not_sure():
    # The classifier was unsure (0.2) and its top two were close: without the override, a fallback.
    (message,) = classify(predicted("so thirsty and confused today", "greet", 0.2))
    fallback = FallbackClassifier(FallbackClassifier.get_default_config())
    (message,) = fallback.process([message])
    assert message.get("intent")["name"] == "red_flag"


def test_message_without_text_is_skipped():
    (message,) = classify(Message(data={}))
    assert message.get("intent") is None


def test_known_back_pain_keeps_the_intent_and_asks_for_a_safety_net():
    original = predicted("I've had the same back ache for years, which scan finds spread earliest?")
    (message,) = classify(original)
    assert message.get("intent")["name"] == "ask_what_is"
    assert message.get("red_flag") is None
    assert message.as_dict(only_output_properties=True)["red_flag_safety_net"] is True


def test_a_question_without_symptoms_gets_no_safety_net():
    (message,) = classify(predicted("what is a bone scan?"))
    assert message.get("red_flag_safety_net") is None
