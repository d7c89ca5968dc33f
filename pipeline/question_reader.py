"""Rasa NLU intent classifier that reads a message the way a patient writes it.

Patients write long messages: who they are, what happened, then one or two questions, often
with a worry about their own case mixed in. Classified as a whole, the context wins ("my
husband's report...") and a page question gets declined. So the reader:

1. splits the message into sentences and classifies each one, and the whole, with a model of
   *how* questions are asked (`pipeline/sentence_model.py`, tests and words masked by kind);
2. picks the sentence that asks what the page covers, preferring questions that name a test or
   a word, and answers that aspect of that subject;
3. notes when another part asks about the person's own case, so the answer adds one sentence
   sending that part to the care team; only a message that asks nothing the page covers is
   declined;
4. recognises what people ask that the page does not answer (how long a test takes, whether
   it hurts; `content/reading.yml`, and questions clinic staff marked "not on the page" in the
   review queue, learnt as `ask_not_on_page/<topic>`) and routes it to an honest "the page
   doesn't say";
5. never says "not sure" when a test or word is named: that gets the subject's overview.

What it decided goes in the parse data under `reading` for the actions: the question it
answered, the subject, whether to add the care-team sentence, topics not on the page, and
whether the message was a bare follow-up ("and the MRI?") that keeps the last aspect, and for a
decline which kind of question it is (treatment, own results, costs...).
"""
# No `from __future__ import annotations`: Rasa checks the graph's type hints at run time.

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    METADATA,
    METADATA_INTENT,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from content.reading import Reading, load_reading
from pipeline.sentence_model import SentenceModel, normalise

READING_KEY = "reading"
FALLBACK = "nlu_fallback"
NOT_ON_PAGE = "ask_not_on_page"
# The `not_on_page` topic of a reviewed "not on the page" question that names none.
OTHER_TOPIC = "other"
OUT_OF_SCOPE = "out_of_scope"
# What the page answers, one intent per aspect of a subject or general topic.
PAGE_ASPECTS = frozenset(
    {
        "ask_what_is",
        "ask_what_it_shows",
        "ask_limits",
        "ask_how_done",
        "ask_pronunciation",
        "ask_found_before_symptoms",
        "ask_imaging_overview",
        "ask_lab_overview",
        "ask_mixed_lesions",
        "ask_test_list",
        "ask_first_test",
        "ask_next_test",
        "ask_why_test",
        "ask_need_test",
        "ask_compare_tests",
        "ask_which_test",
    }
)
# The aspects that are about one test or word, which a question must name or point back to.
ABOUT_A_SUBJECT = frozenset(
    {
        "ask_what_is",
        "ask_what_it_shows",
        "ask_limits",
        "ask_how_done",
        "ask_pronunciation",
        "ask_next_test",
        "ask_why_test",
        "ask_need_test",
        "ask_compare_tests",
    }
)
# Declines that are about the person's own case; the others (costs, chitchat...) are not.
PERSONAL_KINDS = frozenset({"own_results", "prognosis", "treatment", "medicines"})
# A question sentence starts with one of these or ends with "?".
_QUESTION_START = re.compile(
    r"^(?:so |and |but |ok |okay |also |then |hi |hello )*(?:what|whats|why|how|when|where|"
    r"which|who|is|are|does|do|did|can|could|will|would|should|may|might|explain|tell|pls|"
    r"please|wat|y)\b"
)
_SENTENCE_END = re.compile(
    r"(?<=[.?!])\s+|\n+|;\s*|(?<=\?)(?=\S)"
    # "what is ALP and why does it go up": two questions in one sentence.
    r"|,?\s+and (?=(?:what|why|how|when|where|which|does|do|is|are|can|will)\b)"
)
_FOLLOW_UP = re.compile(r"^(?:ok |okay |so |and )*(?:and|what about|how about)\b")
# Words a bare follow-up may hold besides its subject: "and the MRI scan then?".
# What lets a sentence naming no test still be about one: something said before, or the tests in
# general.
_REFERS = re.compile(
    r"\b(?:it|its|it's|that|this|these|those|they|them|one|ones|he|she|him|her|why|how|what|which"
    r"|when|where|who|scans?|tests?|results?|reports?|bloods?|letter|biopsy|spot|spots|bone|bones"
    r"|cancer|mets|spread)\b"
)


def names_nothing(text: str) -> bool:
    """Five words or more with nothing they could be about."""
    lowered = text.lower()
    return len(lowered.split()) >= 5 and not _REFERS.search(lowered)


_FILLER = frozenset({"the", "a", "an", "one", "scan", "test", "then", "too", "also", "as", "well"})
# "how do you say the first one", "and the other one?": one of the two things named before
# (actions/answering.py finds which).
_ORDINAL = re.compile(
    r"\bthe (first|former|second|latter|other) (?:one|word|test|scan|kind|type|thing)\b"
    r"|\bthe (former|latter)\b",
    re.IGNORECASE,
)
ORDINAL_PLACE = {"first": "first", "former": "first", "second": "second", "latter": "second"}
_QUESTION_WORD = re.compile(
    r"\b(?:what|whats|wat|which|how|why|is|are|does|do|explain|tell me about|about)\b"
)
# "does it use x-rays?", "is it better than a CT?": the question is about "it".
_ABOUT_IT = re.compile(
    r"\b(?:does|is|can|will|did|would|could|why) (?:it|that|this)\b|\b(?:that|this) one\b"
    r"|\b(?:use|uses|using|do|need|get) it\b"
)
_OBJECT_BEFORE = re.compile(
    r"\b(?:use|uses|using|than|like|instead of|without|versus|vs|or|and not|not|is it|is that"
    r"|from|because of|caused by|due to|as|help with|helps with|help find)"
    r"\s+(?:an? |the )?$"
)
_COMPARING = re.compile(
    r"\b(?:than|vs|versus|or|difference|differ|compared?|same (?:thing |test )?as|both)\b"
)
_PRONOUNCING = re.compile(
    r"\bhow (?:do|would|should|to|can) (?:you |i |we |one |u )?(?:say|pronounce)\b"
    r"|\bpronounc\w*|\bstress\w*|\bsyllables?\b|\bsound(?:s|ed)? (?:it )?out\b"
    r"|\bphonetic\w*|\bspell(?:ing|ed)? (?:it )?(?:out|phonetically)\b"
)
# A respelling typed out ("LIE-tic", "hi-per-KAL"): the question is how to say the word. Test
# names written with a hyphen ("CT-guided", "PET-CT", "X-ray") are not respellings, and a
# stressed syllable has a vowel, so "FDG-avid" on a report is not one either.
_RESPELT = re.compile(
    r"\b(?!(?:CT|PET|MRI|ALP|NTX|X)-)(?=[A-Z]*[AEIOUY])[A-Z]{2,}-[a-z]+|\b[a-z]+-[A-Z]{2,}\b"
)
_DIFFERENCE = re.compile(
    r"\b(?:differen(?:t|ce|ces)|differ|differs|vs|versus|compared? (?:to|with)|compares)\b"
    # "what each one sees that the other doesn't", "is PET better than a bone scan?"
    r"|\bthe others? (?:one )?(?:doesn'?t|does not|don'?t|do not|can'?t|cannot|won'?t"
    r"|miss(?:es)?)\b"
    r"|\b(?:better|worse|newer) than\b|\bsame (?:thing |scan |test )?as\b"
)
# "is it infection or cancer", "how do they tell them apart".
_TELL_APART = re.compile(r"\b(?:or|from|apart|difference|versus|vs)\b")
_MEANS_SPREAD = re.compile(
    r"\b(?:does|do|would|could|will|can) (?:that|it|this|these|those|the results?|a high one) "
    r"(?:\w+ )?mean (?:that )?(?:the |my |his |her )?(?:cancer|it|tumou?r) (?:has|is|'s) "
    r"(?:spread|back|in (?:the|his|her|my) bones?)"
)
_TESTING_FOR = re.compile(
    r"\b(?:test|tests|testing|check|checks|checking|look|looks|looking) (?:\w+ ){0,3}for\b"
)
_FOLLOW_UP_FOR = re.compile(r"^(?:ok |okay |so )*(?:and|what about|how about) (?:for|with) \w+")
_DOES_IT_ALWAYS_MEAN = re.compile(
    r"(?<!what )\b(?:does|dose|do|would|will|doesn't|doesnt|does not|don't|dont|do not) "
    r"(?:it|that|this|a high one|(?:a )?(?:high|raised) \w+(?: \w+)?) "
    r"(?:definitely|definately|definatly|definetly|always|allways|alway|really|automatically"
    r"|necessarily|for sure) (?:mean|meen|mean's)\b"
)
# "and what's it bad at?": what the test can miss.
_BAD_AT = re.compile(
    r"\b(?:bad|poor|rubbish|useless|worse|weak|not (?:so |very |that )?good) at\b"
    r"|\b(?:downsides?|weak (?:spots?|points?)|weaknesses)\b"
)
_WHY_FIRST = re.compile(r"^(?:so |and |but |ok |okay )*why\b")
# What a question opening with "why" is not, whatever the model says; unless it asks why a test
# misses something, which its limits answer.
_NOT_A_WHY = frozenset({"ask_limits", "ask_first_test", "ask_what_is"})
_MISSES = re.compile(r"\b(?:miss|misses|missed|fail|fails|failed|not (?:show|see|find|pick))")
_WHY_NEXT = re.compile(r"\bwhy\b(?:\W+\w+){1,5}?\W+(?:next|now|after that|then)\b")
_MEANING = re.compile(r"\b(?:mean|means|meaning|meant|stand for|stands for|called|word for)\b")


@dataclass
class Sentence:
    start: int
    text: str
    entities: list[dict] = field(default_factory=list)

    @property
    def is_question(self) -> bool:
        return self.text.rstrip().endswith("?") or bool(_QUESTION_START.match(self.text.lower()))


def sentences_of(text: str) -> list[Sentence]:
    found, start = [], 0
    for boundary in [*_SENTENCE_END.finditer(text), None]:
        end = boundary.start() if boundary else len(text)
        piece = text[start:end]
        if piece.strip():
            found.append(Sentence(start + len(piece) - len(piece.lstrip()), piece.strip()))
        if boundary:
            start = boundary.end()
    return found


def masked(text: str, entities: list[dict], offset: int = 0) -> str:
    """The text with each test or glossary word replaced by its kind: "what does TEST show"."""
    pieces, position = [], 0
    for entity in sorted(entities, key=lambda e: e["start"]):
        start, end = entity["start"] - offset, entity["end"] - offset
        if start < position or start < 0 or end > len(text):
            continue
        pieces += [text[position:start], f" {entity['entity'].upper()} "]
        position = end
    pieces.append(text[position:])
    return normalise("".join(pieces))


def glossary_entities(message: Message) -> list[dict]:
    """The glossary matcher's tests and words in the message, as Rasa entities."""
    doc = message.get(SPACY_DOCS[TEXT])
    if doc is None:
        return [e for e in message.get(ENTITIES) or [] if e.get("entity") in ("test", "term")]
    return [
        {
            "entity": ent.label_,
            "value": ent.kb_id_ or ent.text,
            "start": ent.start_char,
            "end": ent.end_char,
        }
        for ent in doc.ents
    ]


def training_label(message: Message) -> str:
    """Retrieval intents keep their kind ("out_of_scope/prognosis"), so the reader knows a
    personal decline from a chit-chat one. A question staff marked "not on the page" keeps the
    topic in its metadata (data/nlu/reviewed.yml): "ask_not_on_page/duration"."""
    if message.get(INTENT) == NOT_ON_PAGE:
        intent_metadata = (message.get(METADATA) or {}).get(METADATA_INTENT) or {}
        return f"{NOT_ON_PAGE}/{intent_metadata.get('topic') or OTHER_TOPIC}"
    return message.get(INTENT_RESPONSE_KEY) or message.get(INTENT)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class QuestionReader(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 20.0,
            "random_state": 42,
            # Below this the reader says it is not sure (when no test or word is named).
            "fallback_threshold": 0.3,
            # A sentence counts as a page question from this much probability on the page's
            # aspects; less when it names a subject.
            "page_threshold": 0.4,
            "page_threshold_with_subject": 0.2,
            "second_question_threshold": 0.7,
            # A sentence asks about the person's own case from this probability on.
            "personal_threshold": 0.45,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: SentenceModel | None = None,
    ) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        self.reading: Reading = load_reading()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "QuestionReader":
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "QuestionReader":
        with model_storage.read_from(resource) as directory:
            model = SentenceModel.load(directory)
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        texts = [masked(e.get(TEXT), glossary_entities(e)) for e in examples]
        labels = [training_label(e) for e in examples]
        self.model = SentenceModel.fit(texts, labels, self.config["C"], self.config["random_state"])
        with self._model_storage.write_to(self._resource) as directory:
            self.model.save(directory)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if self.model is None or not message.get(TEXT):
                continue
            intent, confidence, reading, ranking = self.read(message)
            # Kept beside Rasa's intent, which a warning sign overrides: the question is
            # answered once the person says they are safe (actions/safety.py).
            reading["intent"] = intent
            message.set(INTENT, {"name": intent, "confidence": confidence}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            message.set(READING_KEY, reading, add_to_output=True)
        return messages

    def read(self, message: Message) -> tuple[str, float, dict, list[dict]]:
        text = message.get(TEXT)
        entities = glossary_entities(message)
        sentences = sentences_of(text)
        for sentence in sentences:
            end = sentence.start + len(sentence.text)
            sentence.entities = [e for e in entities if sentence.start <= e["start"] < end]
        texts = [masked(text, entities)] + [masked(s.text, s.entities, s.start) for s in sentences]
        # "Is the first one the kind a bone scan misses?" asks about "it", not the first test.
        texts = [_ORDINAL.sub("it", t) for t in texts]
        probabilities = self.model.probabilities(texts)
        labels = self.model.labels
        whole = dict(zip(labels, probabilities[0], strict=True))
        per_sentence = [dict(zip(labels, row, strict=True)) for row in probabilities[1:]]
        if len(sentences) <= 1:
            per_sentence = [whole]
            sentences = sentences or [Sentence(0, text, entities)]
            sentences[0].entities = entities
        ranking = intent_ranking(whole)
        top, top_p = ranking[0]["name"], ranking[0]["confidence"]
        reading: dict[str, Any] = {"question": text}

        asked = self.page_sentence(sentences, per_sentence)
        # "His ALP came back at 180, does that mean the cancer has spread?": their own result,
        # and what such a result can and cannot show, which the page says.
        result_means_spread = bool(_MEANS_SPREAD.search(text.lower())) and any(
            e["entity"] == "test" for e in entities
        )
        if result_means_spread and asked is None:
            asked = next((i for i, s in enumerate(sentences) if s.entities), len(sentences) - 1)
        if (
            not result_means_spread
            and asked is not None
            and len(sentences) == 1
            and sentences[0].is_question
            and top == OUT_OF_SCOPE
            and top_p >= page_mass(per_sentence[0])
        ):
            # One sentence that is more a decline than a page question ("what's the best way
            # to treat cancer that spread to the spine"): naming a test does not make it one.
            asked = None
        not_on_page = self.reading.not_on_page(text) or self.learned_not_on_page(
            [whole, *(p for p, s in zip(per_sentence, sentences, strict=True) if s.is_question)]
        )
        personal = (
            result_means_spread
            or self.reading.is_personal(text)
            or any(
                personal_mass(p) >= self.config["personal_threshold"]
                for p, s in zip(per_sentence, sentences, strict=True)
                if asked is None or s is not sentences[asked]
            )
        )

        if not entities and not self.knows_a_word(texts[0]):
            return FALLBACK, top_p, reading, ranking
        if not not_on_page and (lent := self.lent_test(sentences)):
            # "How do they know if the thing in my spine is infection or cancer?": what the
            # test the page says tells them apart shows.
            reading.update(question=text, care_team=personal, subject=lent, follow_up=False)
            return (
                "ask_what_it_shows",
                0.5,
                reading,
                [{"name": "ask_what_it_shows", "confidence": 0.5}],
            )
        # "ok thanks, does he need to fast before it?" asks something after the thanks.
        asks_more = not_on_page and any(s.is_question for s in sentences)
        if (
            top in CONTROL
            and top_p >= 0.5
            and (asked is None or len(sentences) == 1)
            and not asks_more
        ):
            return top, top_p, reading, ranking
        if not_on_page:
            reading.update(
                not_on_page=list(dict.fromkeys(not_on_page)),
                subject=subject_for(NOT_ON_PAGE, sentences, asked, entities),
            )
            return NOT_ON_PAGE, 1.0, reading, [{"name": NOT_ON_PAGE, "confidence": 1.0}]
        if asked is not None:
            sentence, probabilities_asked = sentences[asked], per_sentence[asked]
            aspect = worded_aspect(
                likeliest_aspect(sentence, probabilities_asked, entities),
                sentence,
                entities,
                result_means_spread,
            )
            if (
                aspect in ABOUT_A_SUBJECT
                and not entities
                and not sentence.is_question
                and names_nothing(sentence.text)
            ):
                # "My name is Zelda and I need the gist, MRN 4471209": a statement that names
                # no test, no word of the page and nothing said before asks about no test.
                return FALLBACK, top_p, reading, ranking
            subject = subject_for(aspect, sentences, asked, entities)
            reading.update(
                question=sentence.text,
                care_team=personal,
                subject=subject,
                follow_up=is_follow_up(sentence),
            )
            if not sentence.entities and (ordinal := referred_place(sentence.text)):
                reading.update(refers_to=ordinal)
            also = self.second_question(sentences, per_sentence, asked, entities, (aspect, subject))
            if also is not None:
                reading.update(also=also)
            confidence = max(float(probabilities_asked[aspect]), 0.5)
            return aspect, confidence, reading, [{"name": aspect, "confidence": confidence}]
        if top.startswith(OUT_OF_SCOPE) and (
            entities or top_p >= self.config["fallback_threshold"]
        ):
            # A decline needs as much confidence as an answer: "checks lineup pls, see <url>"
            # read 16 % out of scope and 16 % goodbye is "not sure", not "I only know about...".
            kind = max(
                (label for label in whole if label.startswith(f"{OUT_OF_SCOPE}/")), key=whole.get
            )
            reading.update(decline=kind.split("/", 1)[1])
            return OUT_OF_SCOPE, top_p, reading, ranking
        if entities:
            # A test or word was named but the question is unclear: its overview, with buttons
            # for the rest, is more use than "not sure".
            reading.update(subject=subject_for("ask_what_is", sentences, None, entities))
            return "ask_what_is", 0.5, reading, [{"name": "ask_what_is", "confidence": 0.5}]
        if top_p < self.config["fallback_threshold"] or top == NOT_ON_PAGE:
            # A learnt "not on the page" whose topic reading.yml cannot name: nothing to say.
            return FALLBACK, top_p, reading, ranking
        return top, top_p, reading, ranking

    def lent_test(self, sentences: list[Sentence]) -> dict | None:
        """The test the page says does what a question with no test named asks to tell apart."""
        for sentence in sentences:
            if any(e["entity"] == "test" for e in sentence.entities) or not sentence.is_question:
                continue
            lent = self.reading.elsewhere(sentence.text)
            if lent and _TELL_APART.search(sentence.text.lower()):
                return {"kind": "test", "id": lent[0].test}
        return None

    def learned_not_on_page(self, readings: list[dict[str, float]]) -> list[str]:
        """The topics of reviewed "not on the page" questions that the message, or one of its
        questions, reads most like; only topics `reading.yml` can say it does not cover."""
        topics = []
        for probabilities in readings:
            if intent_ranking(probabilities)[0]["name"] != NOT_ON_PAGE:
                continue
            learned = [label for label in probabilities if label.startswith(f"{NOT_ON_PAGE}/")]
            topic = max(learned, key=probabilities.get).split("/", 1)[1]
            if topic in self.reading.rules.not_on_page:
                topics.append(topic)
        return topics

    def knows_a_word(self, text: str) -> bool:
        """Whether any word of the text was seen in training: a guess on character fragments
        alone ("zzkq vvbn") is no reading at all."""
        vocabulary = self.model.words.vocabulary_
        return any(word in vocabulary for word in re.findall(r"\w+", text))

    def second_question(
        self,
        sentences: list[Sentence],
        per_sentence: list[dict[str, float]],
        asked: int,
        entities: list[dict],
        answered: tuple[str, dict | None],
    ) -> dict | None:
        """Another question of a long message that asks what the page covers about something
        it names ("What does it mean that it makes slices? And what is it looking for?"), when
        it asks something else than `answered` (aspect, subject): answered after it."""
        for index, (sentence, probabilities) in enumerate(
            zip(sentences, per_sentence, strict=True)
        ):
            if index == asked or not sentence.is_question:
                continue
            # One that names nothing ("and what are they looking for?") is about what the
            # message named: taken only when it clearly asks what the page covers.
            needed = (
                self.config["page_threshold"]
                if sentence.entities
                else self.config["second_question_threshold"]
            )
            if page_mass(probabilities) < needed:
                continue
            second = likeliest_aspect(sentence, probabilities, sentence.entities)
            subject = subject_for(second, sentences, index, entities)
            if (second, subject) != answered:
                return {
                    "intent": second,
                    "subject": subject,
                    "question": sentence.text,
                    "start": sentence.start,
                    "end": sentence.start + len(sentence.text),
                }
        return None

    def page_sentence(
        self, sentences: list[Sentence], per_sentence: list[dict[str, float]]
    ) -> int | None:
        """The sentence that asks what the page covers, or None: among the questions if any of
        them does, else among all sentences; naming a test or word counts in its favour."""
        candidates = []
        for index, (sentence, probabilities) in enumerate(
            zip(sentences, per_sentence, strict=True)
        ):
            mass = page_mass(probabilities)
            needed = (
                self.config["page_threshold_with_subject"]
                if sentence.entities
                else self.config["page_threshold"]
            )
            if mass >= needed:
                candidates.append((index, mass * (1.25 if sentence.entities else 1.0)))
        questions = [c for c in candidates if sentences[c[0]].is_question]
        ranked = sorted(questions or candidates, key=lambda c: c[1], reverse=True)
        return ranked[0][0] if ranked else None


CONTROL = frozenset(
    {
        "greet",
        "goodbye",
        "thanks",
        "help",
        "affirm",
        "deny",
        "start_over",
        "talk_to_nurse",
        "forget_me",
        "ask_handout",
        "ask_source",
    }
)


def page_mass(probabilities: dict[str, float]) -> float:
    return float(sum(p for label, p in probabilities.items() if label in PAGE_ASPECTS))


def personal_mass(probabilities: dict[str, float]) -> float:
    return float(
        sum(
            p
            for label, p in probabilities.items()
            if label.startswith(f"{OUT_OF_SCOPE}/") and label.split("/", 1)[1] in PERSONAL_KINDS
        )
    )


def intent_ranking(probabilities: dict[str, float]) -> list[dict]:
    """Rasa's ranking, with the out-of-scope kinds pooled into the one retrieval intent."""
    pooled: dict[str, float] = {}
    for label, p in probabilities.items():
        name = label.split("/", 1)[0]
        pooled[name] = pooled.get(name, 0.0) + float(p)
    ordered = sorted(pooled.items(), key=lambda item: item[1], reverse=True)[:10]
    return [{"name": name, "confidence": float(np.round(p, 4))} for name, p in ordered]


def subject_for(
    aspect: str, sentences: list[Sentence], asked: int | None, entities: list[dict]
) -> dict | None:
    """The test or word the question is about.

    In the question sentence: the one named first, before the question word ("ALP - what is
    it?") or right after it ("what is lytic on my x-ray report"); a word over a test when it asks
    what a word means; `{"kind": "it"}` when the sentence asks about "it" and names a test only
    as what "it" is compared with ("does it use x-rays?", "why that one and not a CT?": the test
    talked about before). Else the first one named anywhere.
    """
    if asked is None and len(sentences) == 1:
        asked = 0
    if asked is None:
        candidates, text, start = entities, "", 0
    else:
        candidates, text, start = (
            sentences[asked].entities,
            sentences[asked].text.lower(),
            sentences[asked].start,
        )
        one_named_twice = len(candidates) > 1 and len({e["value"] for e in candidates}) == 1
        if (
            candidates
            and _ABOUT_IT.search(text)
            and all(_OBJECT_BEFORE.search(text[: e["start"] - start]) for e in candidates)
            and not one_named_twice  # "is it LIE-tic or LIT-ic?" asks about that word
        ):
            return {"kind": "it"}
    if not candidates and asked is not None:
        # "Now they want a biopsy as well. Why, if they can see it on two scans?": the test
        # named just before the question.
        earlier = [sentence.entities for sentence in sentences[:asked] if sentence.entities]
        candidates = earlier[-1] if earlier else []
    candidates = candidates or entities
    if not candidates:
        return None
    if aspect in ("ask_what_is", "ask_pronunciation") and text:
        terms = [e for e in candidates if e["entity"] == "term"]
        if terms and (aspect == "ask_pronunciation" or _MEANING.search(text)):
            # "I know mets means spread, but what does osteoblastic mean?": the word the
            # question word asks about, else the first.
            asking = list(_QUESTION_WORD.finditer(text))
            after = [e for e in terms if asking and e["start"] - start >= asking[-1].end()]
            return as_subject((after or terms)[0])
        question_word = _QUESTION_WORD.search(text)
        if question_word:
            # "ALP - what is it?" names its topic first; "what is lytic on my x-ray report"
            # names it right after the question word.
            before = [e for e in candidates if e["start"] - start < question_word.start()]
            after = [e for e in candidates if e["start"] - start >= question_word.end()]
            if before or after:
                return as_subject((before or after)[0])
    tests = [e for e in candidates if e["entity"] == "test"]
    named = {e["value"] for e in tests}
    if {"ct", "biopsy"} <= named:
        # "Why do they keep repeating the CT during the biopsy?": the CT-guided biopsy.
        return {"kind": "test", "id": "ct_biopsy"}
    if {"pet", "ct"} <= named and any(e["value"] == "pet_ct" for e in entities):
        # "My partner has a PET-CT ... what does the CT add to the PET?": the PET/CT.
        return {"kind": "test", "id": "pet_ct"}
    return as_subject(tests[0] if tests else candidates[0])


def as_subject(entity: dict) -> dict:
    return {"kind": entity["entity"], "id": entity["value"]}


def can_compare(sentence: Sentence, entities: list[dict]) -> bool:
    """A comparison needs two tests named, or a comparing word ("is it better than a CT")."""
    tests = {e["value"] for e in entities if e["entity"] == "test"}
    text = sentence.text.lower()
    return len(tests) >= 2 or bool(_COMPARING.search(text) or _DIFFERENCE.search(text))


def likeliest_aspect(
    sentence: Sentence, probabilities: dict[str, float], entities: list[dict]
) -> str:
    """The page aspect the model rates highest for the sentence; a comparison only when it
    can be one."""
    aspects = PAGE_ASPECTS & probabilities.keys()
    if not can_compare(sentence, entities):
        aspects -= {"ask_compare_tests"}
    return max(aspects, key=probabilities.get)


def worded_aspect(
    aspect: str, sentence: Sentence, entities: list[dict], result_means_spread: bool
) -> str:
    """The aspect the model chose, unless the wording says plainly what is asked."""
    text = sentence.text.lower()
    names_a_test = any(e["entity"] == "test" for e in sentence.entities)
    if _DIFFERENCE.search(text) and can_compare(sentence, entities):
        # "How is it different from a CT?" compares, however it starts.
        aspect = "ask_compare_tests"
    if aspect == "ask_next_test" and _WHY_NEXT.search(text):
        # "...now they've booked an MRI, why an MRI next?" asks why, not what follows.
        aspect = "ask_why_test"
    if result_means_spread:
        aspect = "ask_limits"
    named_tests = {e["value"] for e in sentence.entities if e["entity"] == "test"}
    if (
        aspect in ("ask_test_list", "ask_which_test")
        and len(named_tests) == 1
        and _TESTING_FOR.search(text)
    ):
        # "They gave me a pot for a urine sample, what are they testing my wee for?": what
        # that one test looks for, not the list of tests.
        aspect = "ask_what_it_shows"
    if _FOLLOW_UP_FOR.match(text) and not names_a_test:
        # "And for the spine?": which test for that.
        aspect = "ask_which_test"
    if aspect in _NOT_A_WHY and _WHY_FIRST.match(text) and not _MISSES.search(text):
        # "WHY do they keep repeating the bone scan, isn't once enough??" asks why.
        aspect = "ask_why_test"
    if _BAD_AT.search(text) and (names_a_test or not sentence.entities):
        aspect = "ask_limits"
    if _DOES_IT_ALWAYS_MEAN.search(text):
        # "So if it's high, does it definitely mean bone mets?", "why doesn't a high ALP
        # always mean bone mets?": what the test cannot prove.
        aspect = "ask_limits"
    if sentence.entities and (_PRONOUNCING.search(text) or _RESPELT.search(sentence.text)):
        aspect = "ask_pronunciation"
    return aspect


def referred_place(text: str) -> str | None:
    """`first`, `second` or `other` for "the first one", "the latter", "the other one"."""
    found = _ORDINAL.search(text.lower())
    if not found:
        return None
    word = found.group(1) or found.group(2)
    return ORDINAL_PLACE.get(word, word)


def is_follow_up(sentence: Sentence) -> bool:
    """A bare follow-up ("and the MRI?", "what about a PET scan", "and the other one?"): a
    subject, nothing else."""
    text = sentence.text.lower()
    lead = _FOLLOW_UP.match(text)
    if lead and not sentence.entities:
        rest = _ORDINAL.sub(" ", text[lead.end() :])
        return referred_place(text) is not None and set(re.findall(r"[a-z]+", rest)) <= _FILLER
    if not (sentence.entities and lead):
        return False
    rest = text[lead.end() :]
    for entity in sorted(sentence.entities, key=lambda e: e["start"], reverse=True):
        begin = max(entity["start"] - sentence.start - lead.end(), 0)
        end = max(entity["end"] - sentence.start - lead.end(), 0)
        rest = f"{rest[:begin]} {rest[end:]}"
    return set(re.findall(r"[a-z]+", rest)) <= _FILLER
