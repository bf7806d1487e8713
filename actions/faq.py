"""FAQ actions: ask which answer was meant, then give the chosen one."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq_catalogue import faq_key, title

MAX_CHOICES = 2
# Answers under this confidence are not offered as a choice at all.
MIN_CHOICE_CONFIDENCE = 0.1
NONE_OF_THESE = {False: "None of these", True: "Ingen av disse"}


def faq_ranking(tracker: Tracker) -> List[Dict[Text, Any]]:
    selector = tracker.latest_message.get("response_selector") or {}
    return (selector.get("faq") or {}).get("ranking") or []


def choice_payload(key: str) -> str:
    return "/faq_choice" + json.dumps({"faq_key": key})


class ActionClarifyFaq(Action):
    def name(self) -> Text:
        return "action_clarify_faq"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        language = tracker.get_slot("language")
        keys = [
            faq_key(item.get("intent_response_key"))
            for item in faq_ranking(tracker)
            if item.get("confidence", 0.0) >= MIN_CHOICE_CONFIDENCE
        ]
        keys = [k for k in keys if k][:MAX_CHOICES]
        if not keys:
            dispatcher.utter_message(response="utter_handover_programme")
            return []
        buttons = [{"title": title(k, language), "payload": choice_payload(k)} for k in keys]
        buttons.append({"title": NONE_OF_THESE[language == "nb"], "payload": "/human_handoff"})
        dispatcher.utter_message(response="utter_clarify_faq", buttons=buttons)
        return []


class ActionAnswerFaqChoice(Action):
    def name(self) -> Text:
        return "action_answer_faq_choice"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        key = faq_key("faq/" + str(next(tracker.get_latest_entity_values("faq_key"), "")))
        if key is None:
            dispatcher.utter_message(response="utter_handover_programme")
        else:
            dispatcher.utter_message(response=f"utter_faq/{key}")
        return []
