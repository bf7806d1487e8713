"""NLU component: a fee or refund question about the person's own situation is personal.

"Jeg er dansk, må jeg betale studieavgift?", "I'm a PhD candidate, do I pay?", "I withdrew,
what do I get back?" read like the general FAQs, but they tell the person's own case, so the
person wants their own answer, computed by the rules engine in the fee or refund dialogue.

The message goes to the personal dialogue when its best FAQ answer is one the dialogue answers
(`fee_faqs` / `refund_faqs`) and it states a personal fact: an entity of `fact_entities`
(citizenship, level, start, special situation, share; for a refund a date or the amount paid) or a
first-person statement ("I am", "my", "jeg har", "mitt"; entities/first_person.py). FAQs near
the topic whose general answer the dialogue does not give (`entity_faqs`: "Can I get a
scholarship?") need a fact entity, not just "I". A general question ("What is the fee for
category C?", "Who is exempt?") has neither and stays a FAQ answer.

When the FallbackClassifier was unsure, the message is still personal if one of the two leading
intents is the FAQ or a personal reading, the closest FAQ answer is on the topic, and a personal
fact is stated: a long, chatty message about one's own case is not a reason to hand over.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.base import ConfiguredComponent
from components.faq_ambiguity import FAQ_INTENT, faq_ranking
from components.language_detector import DETECTED_LANGUAGE
from entities.first_person import speaks_of_self

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
            # FAQs whose question the fee dialogue answers for the person (who pays, how much,
            # the automatic exemptions it asks about, part time and single courses).
            "fee_faqs": ["fee_who_pays", "fee_amount", "fee_programme_amount", "fee_exemptions_automatic",
                         "fee_started_before_2023", "fee_phd", "fee_part_time", "fee_individual_courses",
                         "fee_joint_programmes", "fee_exchange_students", "fee_scholarship_holders"],
            "fee_intent": "ask_personal_fee",
            "refund_faqs": ["refund_withdrawal", "refund_udi_refusal"],
            "refund_intent": "ask_personal_refund",
            # On the topic, but their general answer is not the dialogue's: personal only with
            # a fact the dialogue uses ("I have an HK-dir scholarship, do I pay?").
            "entity_faqs": {"fee_scholarships": "ask_personal_fee"},
            # Entities that state the person's own case, per dialogue (a citizenship says
            # nothing about a refund). A refund reason alone is the topic of every refund FAQ
            # ("What happens if UDI says no?"): it counts with "I"/"my"/"jeg", not on its own.
            "fact_entities": {
                "ask_personal_fee": ["country", "level", "start", "special_situation", "percentage", "credits",
                                     "study_mode"],
                "ask_personal_refund": ["date", "amount_paid"],
            },
            # "in Norway" names where, not whose: a Norwegian citizen's question stays general.
            "ignore_countries": ["NO"],
        }

    def _topic(self, faq: Text) -> Optional[Text]:
        """The personal intent answering this FAQ for the person (None: not on the topic)."""
        if faq in self.config["fee_faqs"]:
            return self.config["fee_intent"]
        if faq in self.config["refund_faqs"]:
            return self.config["refund_intent"]
        return None

    def _facts(self, message: Message, intent: Text) -> Set[Text]:
        return {
            e.get("entity") for e in message.get(ENTITIES) or []
            if e.get("entity") in self.config["fact_entities"].get(intent, [])
            and not (e.get("entity") == "country" and e.get("value") in self.config["ignore_countries"])
        }

    def personal_intent(self, message: Message) -> Any:
        ranking = faq_ranking(message)
        readings = {FAQ_INTENT, self.config["fee_intent"], self.config["refund_intent"]}
        leading = self._leading_intents(message)
        if (message.get(INTENT) or {}).get("name") in readings - {FAQ_INTENT}:
            return None  # already personal: the model read it so
        if not ranking or not leading & readings:
            return None
        if (message.get(INTENT) or {}).get("name") != FALLBACK_INTENT and leading - readings:
            return None
        best = ranking[0]["intent_response_key"].split("/", 1)[-1]
        intent = self._topic(best)
        if intent is None:
            intent = self.config["entity_faqs"].get(best)
            return intent if intent and self._facts(message, intent) else None
        if self._facts(message, intent) or speaks_of_self(message.get(TEXT), message.get(DETECTED_LANGUAGE)):
            return intent
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
