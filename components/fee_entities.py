"""NLU component: adds the fee entities to a message: country, level, credits, percentage, date,
and the answers to the fee dialogues' questions (reply yes/no/dont_know, study_mode, start,
special_situation, refund_reason, amount_paid, also, number; see entities/answers.py).

A thin adapter over `entities.extract_entities` (plain Python, rule-based, no trained model).
The language comes from the LanguageDetector that runs before this component; when it could
not decide, both the English and the Norwegian rules are tried.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.base import ConfiguredComponent
from components.language_detector import DETECTED_LANGUAGE
from entities import extract_entities
from entities.pipeline import LANGUAGES, pipeline


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class FeeEntityExtractor(ConfiguredComponent):
    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        for language in LANGUAGES:
            pipeline(language)  # build the spaCy rules now, not on the first message

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = [
                {**entity, "extractor": self.__class__.__name__}
                for entity in extract_entities(text, message.get(DETECTED_LANGUAGE))
            ]
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
