"""The linear intent classifier: learns intents from Rasa's sparse features, ranks every intent
with probabilities, and predicts the same after a save and load."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from pipeline.linear_intent_classifier import LinearIntentClassifier

CONTEXT = ExecutionContext(graph_schema=None, model_id="test", node_name="linear")
EXAMPLES = {
    "greet": ["hi", "hello", "hello there", "good morning", "hey"],
    "goodbye": ["bye", "goodbye", "see you later", "cya", "bye for now"],
    "ask_what_is": ["what is a bone scan", "what is an mri", "explain a ct scan", "what is lytic"],
    "ask_next_test": ["what comes after the bone scan", "what is next after the x-ray",
                      "which test follows an mri", "what comes next"],
}  # fmt: skip


@pytest.fixture
def pipeline(tmp_path):
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    storage = LocalModelStorage(tmp_path)
    featurizer = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb",
         "min_ngram": 2, "max_ngram": 4},
        storage, Resource("features"), CONTEXT,
    )  # fmt: skip
    classifier = LinearIntentClassifier.create(
        LinearIntentClassifier.get_default_config(), storage, Resource("linear"), CONTEXT
    )
    data = TrainingData(
        [Message(data={TEXT: text, "intent": intent}) for intent, texts in EXAMPLES.items()
         for text in texts]
    )  # fmt: skip
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    classifier.train(data)

    def featurize(text: str) -> Message:
        message = Message(data={TEXT: text})
        tokenizer.process([message])
        featurizer.process([message])
        return message

    return classifier, featurize, storage


def test_unseen_phrasings_get_their_intent(pipeline):
    classifier, featurize, _ = pipeline
    texts = ("helo", "bye bye", "what is a pet scan", "what comes after ct")
    messages = [featurize(text) for text in texts]
    classifier.process(messages)
    assert [m.get("intent")["name"] for m in messages] == [
        "greet", "goodbye", "ask_what_is", "ask_next_test",
    ]  # fmt: skip


def test_the_ranking_is_every_intent_with_probabilities(pipeline):
    classifier, featurize, _ = pipeline
    [message] = classifier.process([featurize("what is an x-ray")])
    ranking = message.get("intent_ranking")
    assert {r["name"] for r in ranking} == set(EXAMPLES)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert ranking[0] == message.get("intent")


def test_a_saved_classifier_loads_and_predicts_the_same(pipeline):
    classifier, featurize, storage = pipeline
    loaded = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(), storage, Resource("linear"), CONTEXT
    )
    before = classifier.process([featurize("see you tomorrow")])[0].get("intent_ranking")
    after = loaded.process([featurize("see you tomorrow")])[0].get("intent_ranking")
    assert after == before


def test_a_message_of_unknown_words_has_its_confidences_halved(pipeline):
    classifier, featurize, _ = pipeline
    [known] = classifier.process([featurize("hello there")])
    [mashed] = classifier.process([featurize("asdf qwer zxcv")])
    [plain] = LogisticRegressionClassifier.process(classifier, [featurize("asdf qwer zxcv")])
    assert known.get("intent")["confidence"] > 0.5
    halved = [entry["confidence"] / 2 for entry in plain.get("intent_ranking")]
    assert [entry["confidence"] for entry in mashed.get("intent_ranking")] == halved
    assert mashed.get("intent") == mashed.get("intent_ranking")[0]
