"""Hand over to a person, with the contact that fits the question.

Fee questions the pages don't settle go to the admissions office (opptak@ntnu.no);
everything else to the programme's student advisers. The topic is the one of the
FAQ answer the model found closest, even when it was not sure enough to give it.
"""
from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import faq_ranking
from actions.faq_catalogue import faq_key, is_fee_topic


# Below this, the closest FAQ says nothing about the topic (e.g. "what's the weather?").
MIN_TOPIC_CONFIDENCE = 0.3


def closest_faq(tracker: Tracker):
    ranking = faq_ranking(tracker)
    if not ranking or ranking[0].get("confidence", 0.0) < MIN_TOPIC_CONFIDENCE:
        return None
    return faq_key(ranking[0].get("intent_response_key"))


class ActionHandover(Action):
    def name(self) -> Text:
        return "action_handover"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        fee_question = is_fee_topic(closest_faq(tracker)) or tracker.active_loop_name is not None
        dispatcher.utter_message(
            response="utter_handover_fees" if fee_question else "utter_handover_programme"
        )
        return []
