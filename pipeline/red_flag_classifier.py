"""Rasa NLU component: a warning sign in the message overrides the intent NLU predicted.

It runs after the intent classifiers and before the FallbackClassifier, so a warning sign wins
over any intent and is never turned into a low-confidence fallback. The rules come from
`content/red_flags.yml` when the model is loaded (nothing is trained), so a safety fix needs a
restart, not a retrain.
"""
# No `from __future__ import annotations`: Rasa checks the graph's type hints at run time.

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from content.red_flags import (
    RED_FLAG_INTENT,
    RED_FLAG_KEY,
    RED_FLAGS_FILE,
    RedFlagDetector,
    Screening,
    load_detector,
)

# No alarm, but the message speaks of pain or a symptom: the answer adds a safety-net sentence.
RED_FLAG_SAFETY_NET_KEY = "red_flag_safety_net"


def red_flag_data(screening: Screening, detector: RedFlagDetector) -> dict[str, Any]:
    """What the actions need, so they never load the detector: the most urgent category,
    which reply it gets (urgent or crisis), its label for a nurse, the signs in plain words."""
    category = detector.rules.categories[screening.category]
    return {
        "category": screening.category,
        "reply": category.reply,
        "label": category.label,
        "signs": screening.signs,
        "says": screening.says,
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"rules_file": None}

    def __init__(self, config: dict[str, Any]) -> None:
        rules_file: str | None = config.get("rules_file")
        self.detector = load_detector(Path(rules_file) if rules_file else RED_FLAGS_FILE)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RedFlagClassifier":
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            screening = self.detector.screen(text)
            if screening.safety_net:
                message.set(RED_FLAG_SAFETY_NET_KEY, True, add_to_output=True)
            if not screening.alarm:
                continue
            override = {"name": RED_FLAG_INTENT, "confidence": 1.0}
            message.set(INTENT, override, add_to_output=True)
            # Only the override is ranked: a close runner-up would make the FallbackClassifier
            # call the prediction ambiguous.
            message.set(INTENT_RANKING_KEY, [override], add_to_output=True)
            message.set(RED_FLAG_KEY, red_flag_data(screening, self.detector), add_to_output=True)
        return messages
