"""NLU component: when two FAQ answers are almost equally likely, don't guess.

Runs after the ResponseSelector and the FallbackClassifier. If the message is a FAQ
but the best answer is unsure (below `threshold`) or barely ahead of the second
(by less than `margin`), the intent becomes `faq_ambiguous`; a rule then runs
`action_clarify_faq`, which offers the top answers as buttons.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT
from rasa.shared.nlu.training_data.message import Message

from components.base import ConfiguredComponent

FAQ_INTENT = "faq"
AMBIGUOUS_INTENT = "faq_ambiguous"


def faq_ranking(message: Message) -> List[Dict[Text, Any]]:
    selector = message.get("response_selector") or {}
    return (selector.get(FAQ_INTENT) or {}).get("ranking") or []


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class FaqAmbiguityClassifier(ConfiguredComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"threshold": 0.5, "margin": 0.15}

    @property
    def threshold(self) -> float:
        return self.config["threshold"]

    @property
    def margin(self) -> float:
        return self.config["margin"]

    def is_ambiguous(self, ranking: List[Dict[Text, Any]]) -> bool:
        if len(ranking) < 2:
            return False
        best, second = ranking[0]["confidence"], ranking[1]["confidence"]
        return best < self.threshold or best - second < self.margin

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") == FAQ_INTENT and self.is_ambiguous(faq_ranking(message)):
                message.set(
                    INTENT,
                    {"name": AMBIGUOUS_INTENT, "confidence": intent.get("confidence", 0.0)},
                    add_to_output=True,
                )
        return messages
