"""The glossary featurizer: tokens of a glossary match carry its label and id, and the
vocabulary learned in training survives a save and load."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from content.schema import load_content
from pipeline.build import build_pipeline
from pipeline.glossary_featurizer import GlossaryFeaturizer

NLP = build_pipeline(load_content())
TOKENIZER = SpacyTokenizer(SpacyTokenizer.get_default_config())
RESOURCE = Resource("glossary_featurizer")
CONTEXT = ExecutionContext(graph_schema=None, model_id="test")
CONFIG = GlossaryFeaturizer.get_default_config()


def message(text: str, intent: str | None = None) -> Message:
    data = {TEXT: text, **({"intent": intent} if intent else {})}
    msg = Message(data=data)
    msg.set(SPACY_DOCS[TEXT], NLP(text))
    TOKENIZER.process([msg])
    return msg


@pytest.fixture
def trained(tmp_path) -> tuple[GlossaryFeaturizer, LocalModelStorage]:
    storage = LocalModelStorage(tmp_path)
    featurizer = GlossaryFeaturizer.create(CONFIG, storage, RESOURCE, CONTEXT)
    examples = [
        message("what is a bone scan", "ask_what_is"),
        message("what does lytic mean", "ask_what_is"),
        message("what is a mammogram", "out_of_scope"),
    ]
    featurizer.train(TrainingData(examples))
    return featurizer, storage


def features(featurizer: GlossaryFeaturizer, text: str) -> tuple[np.ndarray, np.ndarray]:
    msg = message(text)
    featurizer.process([msg])
    sequence, sentence = msg.get_sparse_features(TEXT, [featurizer._identifier])
    return sequence.features.toarray(), sentence.features.toarray()


def test_vocabulary_is_the_labels_and_ids_seen_in_training(trained):
    featurizer, _ = trained
    assert set(featurizer.vocabulary) == {"label:test", "id:bone_scan", "label:term", "id:lytic"}


def test_an_alias_and_a_misspelling_get_the_same_features_as_the_test_name(trained):
    featurizer, _ = trained
    _, exact = features(featurizer, "what is a bone scan")
    _, typo = features(featurizer, "wat is a bone scann")
    assert exact.tolist() == typo.tolist()
    assert exact[0, featurizer.vocabulary["id:bone_scan"]] == 1


def test_only_the_tokens_of_the_match_are_marked(trained):
    featurizer, _ = trained
    sequence, _ = features(featurizer, "what is a bone scan")
    marked = [row.any() for row in sequence]
    assert marked == [False, False, False, True, True]


def test_a_message_without_glossary_words_has_empty_features(trained):
    featurizer, _ = trained
    sequence, sentence = features(featurizer, "what is a mammogram")
    assert not sequence.any() and not sentence.any()


def test_the_loaded_featurizer_has_the_trained_vocabulary(trained):
    featurizer, storage = trained
    loaded = GlossaryFeaturizer.load(CONFIG, storage, RESOURCE, CONTEXT)
    assert loaded.vocabulary == featurizer.vocabulary
