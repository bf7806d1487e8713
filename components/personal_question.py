"""NLU component: a general fee question that names the person's situation is personal.

"Jeg er dansk, må jeg betale studieavgift?" reads like the FAQ "who pays", but it names
a citizenship, so the person wants their own answer, not the general rule. When the
best FAQ answer is one of `fee_faqs` and the message has a `country` entity (or is one
of `refund_faqs` and has a `date`), the intent becomes the personal one, and the fee
or refund dialogue answers it with the rules engine.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from components.base import ConfiguredComponent
from components.faq_ambiguity import FAQ_INTENT, faq_ranking

FALLBACK_INTENT = DEFAULT_NLU_FALLBACK_INTENT_NAME


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class PersonalQuestionClassifier(ConfiguredComponent):
    @staticmethod
    def answered_faqs() -> Dict[Text, List[Text]]:
        """personal intent -> the FAQ keys whose questions it answers for the person."""
        config = PersonalQuestionClassifier.get_default_config()
        return {config["fee_intent"]: config["fee_faqs"], config["refund_intent"]: config["refund_faqs"]}

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "fee_faqs": ["fee_who_pays", "fee_amount", "fee_programme_amount", "fee_exemptions_automatic"],
            "fee_intent": "ask_personal_fee",
            "refund_faqs": ["refund_withdrawal"],
            "refund_intent": "ask_personal_refund",
            # "in Norway" names where, not whose: a Norwegian citizen's question stays general.
            "ignore_countries": ["NO"],
        }

    def personal_intent(self, message: Message) -> Any:
        ranking = faq_ranking(message)
        readings = {FAQ_INTENT, self.config["fee_intent"], self.config["refund_intent"]}
        if self._leading_intents(message) - readings or not ranking:
            return None
        best = ranking[0]["intent_response_key"].split("/", 1)[-1]
        found = {
            e.get("entity") for e in message.get(ENTITIES) or []
            if not (e.get("entity") == "country" and e.get("value") in self.config["ignore_countries"])
        }
        if best in self.config["fee_faqs"] and "country" in found:
            return self.config["fee_intent"]
        if best in self.config["refund_faqs"] and "date" in found:
            return self.config["refund_intent"]
        return None

    @staticmethod
    def _leading_intents(message: Message) -> set:
        """The intent, or the two the FallbackClassifier found too close to call.

        "Jeg er dansk, må jeg betale?" splits between `faq` (who pays) and
        `ask_personal_fee`: two readings of the same request, so not a reason to give up.
        """
        intent = (message.get(INTENT) or {}).get("name")
        if intent != FALLBACK_INTENT:
            return {intent}
        ranked = [i["name"] for i in message.get(INTENT_RANKING_KEY) or [] if i["name"] != FALLBACK_INTENT]
        return set(ranked[:2]) or {intent}

    @staticmethod
    def _confidence(message: Message, intent: Text) -> float:
        """The FAQ's and the personal intent's confidence together: both mean this intent."""
        ranking = {i["name"]: i["confidence"] for i in message.get(INTENT_RANKING_KEY) or []}
        combined = ranking.get(FAQ_INTENT, 0.0) + ranking.get(intent, 0.0)
        return min(1.0, combined or (message.get(INTENT) or {}).get("confidence", 1.0))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = self.personal_intent(message)
            if intent:
                message.set(INTENT, {"name": intent, "confidence": self._confidence(message, intent)}, add_to_output=True)
        return messages
