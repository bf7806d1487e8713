"""NLU component: one linear model picks the intent and, for FAQs, the answer.

TF-IDF over character n-grams (typos, Norwegian compounds like "studieavgiften") and
over word n-grams of the spaCy tokens, then a logistic regression over every label:
`faq/<key>` for each FAQ answer, and the plain intents. It trains in seconds on two
cores, where DIET plus a ResponseSelector took a quarter of an hour, and answered
held-out questions better (see README, "How it understands").

Its output has Rasa's usual shape: `intent` and `intent_ranking`, and
`response_selector.faq` with the answer and a ranking normalised within the FAQs, so
`utter_faq`, the FallbackClassifier and the FaqAmbiguityClassifier work unchanged.
An intent's confidence is that of its best label: for `faq`, the probability of the
best single answer, not the sum over all 41 answers (a question the assistant cannot
answer spreads a little probability over many FAQs; the sum would hide that).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Dict, List, Optional, Text, Tuple

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

MODEL_FILE = "linear_model.joblib"


# Students on a foreign keyboard write "soke", "pa", "aar", "laerer" for "søke", "på",
# "år", "lærer": folding both spellings together lets one learn from the other.
_FOLDED_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "ae", "ö": "o", "é": "e"})


def fold_letters(text: Text) -> Text:
    """Lower-cased text with the Norwegian letters spelt the way an ASCII keyboard does."""
    return text.lower().translate(_FOLDED_LETTERS).replace("aa", "a")


def word_text(message: Message) -> Text:
    """The message as lower-cased spaCy tokens separated by spaces."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return " ".join(t.text.lower() for t in tokens) or (message.get(TEXT) or "").lower()


class TextModel:
    """Plain scikit-learn: vectorisers plus a logistic regression over label strings."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        fold = fold_letters if config.get("fold_letters") else None
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=tuple(config["char_ngrams"]), sublinear_tf=True, lowercase=True,
            preprocessor=fold,
        )
        self.words = TfidfVectorizer(
            token_pattern=r"\S+", ngram_range=tuple(config["word_ngrams"]), sublinear_tf=True, lowercase=False,
            preprocessor=fold,
        )
        self.classifier = LogisticRegression(C=config["C"], max_iter=3000, class_weight="balanced")

    def _features(self, texts: List[Text], words: List[Text], fit: bool = False):
        if fit:
            return hstack([self.chars.fit_transform(texts), self.words.fit_transform(words)]).tocsr()
        return hstack([self.chars.transform(texts), self.words.transform(words)]).tocsr()

    def fit(self, texts: List[Text], words: List[Text], labels: List[Text]) -> "TextModel":
        self.classifier.fit(self._features(texts, words, fit=True), labels)
        return self

    def probabilities(self, text: Text, words: Text) -> List[Tuple[Text, float]]:
        probs = self.classifier.predict_proba(self._features([text], [words]))[0]
        order = np.argsort(-probs)
        return [(self.classifier.classes_[i], float(probs[i])) for i in order]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentResponseClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 20.0, "char_ngrams": [2, 5], "word_ngrams": [1, 2], "fold_letters": True, "ranking_length": 10}

    def __init__(self, config, model_storage: ModelStorage, resource: Resource, model: Optional[TextModel] = None):
        self.config = config
        self.model_storage = model_storage
        self.resource = resource
        self.model = model

    @classmethod
    def create(cls, config, model_storage, resource, execution_context: ExecutionContext):
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT)]
        labels = [e.get(INTENT_RESPONSE_KEY) or e.get(INTENT) for e in examples]
        self.model = TextModel(self.config).fit(
            [e.get(TEXT) for e in examples], [word_text(e) for e in examples], labels
        )
        with self.model_storage.write_to(self.resource) as directory:
            joblib.dump(self.model, directory / MODEL_FILE)
        return self.resource

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs):
        try:
            with model_storage.read_from(resource) as directory:
                model = joblib.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            model = None  # not trained yet (e.g. while training the pipeline)
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        for message in messages:
            self._classify(message, self.model.probabilities(message.get(TEXT) or "", word_text(message)))
        return messages

    def _classify(self, message: Message, ranked: List[Tuple[Text, float]]) -> None:
        by_intent: Dict[Text, float] = {}
        answers: Dict[Text, List[Tuple[Text, float]]] = defaultdict(list)
        for label, p in ranked:  # best first
            intent, _, key = label.partition("/")
            by_intent.setdefault(intent, p)
            if key:
                answers[intent].append((label, p))
        intents = sorted(by_intent.items(), key=lambda kv: -kv[1])[: self.config["ranking_length"]]
        message.set(INTENT, {"name": intents[0][0], "confidence": intents[0][1]}, add_to_output=True)
        message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in intents], add_to_output=True)
        selector: Dict[Text, Any] = {"all_retrieval_intents": sorted(answers)}
        for intent, options in answers.items():
            total = sum(p for _, p in options) or 1.0
            ranking = [
                {"intent_response_key": label, "confidence": p / total}
                for label, p in options[: self.config["ranking_length"]]
            ]
            best = ranking[0]
            selector[intent] = {
                "response": {
                    "responses": None,
                    "confidence": best["confidence"],
                    "intent_response_key": best["intent_response_key"],
                    "utter_action": f"utter_{best['intent_response_key']}",
                },
                "ranking": ranking,
            }
        message.set("response_selector", selector, add_to_output=True)
