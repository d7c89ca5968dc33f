"""Rasa NLU components built on the project's spaCy pipeline."""

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP"
)
class GlossaryEntityExtractor(SpacyEntityExtractor):
    """Like SpacyEntityExtractor, but the value is the glossary's canonical id.

    The glossary matcher stores that id in `kb_id_`, so "hypercalsemia", "high calcium" and
    "hypercalcemia" all reach the actions as `hypercalcemia`.
    """

    @staticmethod
    def _extract_entities(doc: Any) -> list[dict[str, Any]]:
        return [
            {
                "entity": ent.label_,
                "value": ent.kb_id_ or ent.text,
                "start": ent.start_char,
                "end": ent.end_char,
                "confidence": None,
            }
            for ent in doc.ents
        ]
