"""NLU components that keep unreadable input away from the classifiers.

`InputSanitizer` runs first: it cleans the text (markup, control characters), cuts
it to a sane length, and records what kind of input it was. `UnreadableInputClassifier`
runs last: for empty, binary, markup-only, link-only or emoji-only input it sets the
intent to `bad_input`, whatever the classifiers guessed from nothing.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.base import ConfiguredComponent
from language.input_check import OK, UNREADABLE, check_input

INPUT_KIND = "input_kind"
BAD_INPUT_INTENT = "bad_input"
# The classifiers need at least one token; this stands in for unreadable text.
PLACEHOLDER_TEXT = "unreadable"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class InputSanitizer(ConfiguredComponent):
    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            checked = check_input(message.get(TEXT))
            message.set(INPUT_KIND, checked.kind, add_to_output=True)
            message.set(TEXT, checked.text if checked.kind == OK else PLACEHOLDER_TEXT)
        return messages


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class UnreadableInputClassifier(ConfiguredComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if message.get(INPUT_KIND) in UNREADABLE:
                intent = {"name": BAD_INPUT_INTENT, "confidence": 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        return messages
