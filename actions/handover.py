"""Hand over to a person, with the contact that fits the question.

The contact is data: each FAQ in content/faq_topics.yml names one (`contact`), as the
pages say: the programme's student advisers for personal study matters, study plans,
courses in general and counselling; the course coordinator for one specific course;
opptak@ntnu.no for tuition fees; the International Office for general questions about
studying at NTNU. The topic is the one of the FAQ answer the model found closest, even
when it was not sure enough to give it.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import faq_ranking
from actions.faq_catalogue import DEFAULT_CONTACT, FEE_CONTACT, contact_of, faq_key, handover_response


# Below this, the closest FAQ says nothing about the topic (e.g. "what's the weather?").
MIN_TOPIC_CONFIDENCE = 0.3


def closest_faq(tracker: Tracker) -> Optional[str]:
    ranking = faq_ranking(tracker)
    if not ranking or ranking[0].get("confidence", 0.0) < MIN_TOPIC_CONFIDENCE:
        return None
    return faq_key(ranking[0].get("intent_response_key"))


def contact_for(tracker: Tracker) -> str:
    # Inside the fee dialogue every open question is about fees, whatever the words.
    if tracker.active_loop_name is not None:
        return FEE_CONTACT
    key = closest_faq(tracker)
    return contact_of(key) if key else DEFAULT_CONTACT


class ActionHandover(Action):
    def name(self) -> Text:
        return "action_handover"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        dispatcher.utter_message(response=handover_response(contact_for(tracker)))
        return []
