"""NLU component: tags each message with the language to answer in.

It emits a `language` entity ("en" or "nb") only when the text decides it. The
`language` slot is mapped from that entity, so an undecided message ("ok", "takk",
"India" as an answer to a form) leaves the conversation's language as it was. A
channel's hint (the web page's language, a Teams locale) is applied once, when a
session starts, by action_session_start (actions/session.py), not per message: a
hint sent with every message would otherwise override the conversation each time.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.base import ConfiguredComponent
from components.input_guard import INPUT_KIND
from language import detect_language
from language.input_check import UNREADABLE

LANGUAGE_ENTITY = "language"
# Where the detected language is kept on the message for later components
# (the tokenizer picks its spaCy rules by it).
DETECTED_LANGUAGE = "detected_language"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class LanguageDetector(ConfiguredComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if message.get(INPUT_KIND) in UNREADABLE:
                continue  # nothing to read; the conversation keeps its language
            language = detect_language(message.get(TEXT))
            message.set(DETECTED_LANGUAGE, language)
            if language:
                entity = {
                    "entity": LANGUAGE_ENTITY,
                    "value": language,
                    "start": 0,
                    "end": 0,
                    "extractor": self.__class__.__name__,
                }
                message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
        return messages
