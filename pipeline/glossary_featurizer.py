"""Rasa NLU featurizer: which glossary test or term a word belongs to, as a sparse feature.

The bag-of-words features see "radiograph", "x ray" and "xray" as three unrelated words, and
"what is a radioactive tracer" looks like "what is a mammogram" (out of scope). The glossary
matcher already knows all three are the x-ray and that the tracer is on the page, so each token
inside a match gets two features, its label (`test`/`term`) and its canonical id. The intent
classifier then learns "what is <a test>" once instead of once per spelling, and knows the
page's words from other medical words.
"""
# No `from __future__ import annotations`: Rasa checks the graph's type hints at run time.

import json
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

VOCABULARY_FILE = "glossary_features.json"


def token_features(doc: Any) -> list[set[str]]:
    """For each spaCy token: the features of the glossary match it is part of, if any."""
    features: list[set[str]] = [set() for _ in doc]
    for ent in doc.ents:
        for index in range(ent.start, ent.end):
            features[index] |= {f"label:{ent.label_}", f"id:{ent.kb_id_ or ent.text.lower()}"}
    return features


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class GlossaryFeaturizer(SparseFeaturizer, GraphComponent):
    @classmethod
    def required_components(cls) -> list[type]:
        return [SpacyTokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**SparseFeaturizer.get_default_config()}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Nothing to configure beyond the featurizer's alias."""

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: dict[str, int] | None = None,
    ) -> None:
        super().__init__(resource.name, config)
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary or {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "GlossaryFeaturizer":
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "GlossaryFeaturizer":
        with model_storage.read_from(resource) as directory:
            vocabulary = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, vocabulary)

    def train(self, training_data: TrainingData) -> Resource:
        """The vocabulary is every label and id the matcher finds in the training examples."""
        seen: set[str] = set()
        for message in training_data.training_examples:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is not None:
                seen.update(*token_features(doc))
        self.vocabulary = {name: index for index, name in enumerate(sorted(seen))}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(self.vocabulary), "utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._featurize(message)
        return messages

    def _featurize(self, message: Message) -> None:
        doc = message.get(SPACY_DOCS[TEXT])
        tokens = message.get(TOKENS_NAMES[TEXT])
        if doc is None or not tokens or not self.vocabulary:
            return
        by_spacy_token = token_features(doc)
        # Rasa's tokens carry character offsets; a token gets the features of the spaCy tokens
        # it overlaps, so the two tokenizations need not agree one to one.
        sequence = scipy.sparse.lil_matrix((len(tokens), len(self.vocabulary)))
        for row, token in enumerate(tokens):
            for spacy_token, names in zip(doc, by_spacy_token, strict=True):
                overlaps = spacy_token.idx < token.end and token.start < spacy_token.idx + len(
                    spacy_token
                )
                for name in names if overlaps else ():
                    if name in self.vocabulary:
                        sequence[row, self.vocabulary[name]] = 1.0
        sentence = scipy.sparse.coo_matrix(np.clip(sequence.sum(axis=0), 0, 1))
        self.add_features_to_message(
            sequence=sequence.tocoo(), sentence=sentence, attribute=TEXT, message=message
        )
