"""Session start: keep the conversation's language, or take the channel's hint.

A channel may send the person's language with every message (the web page's
`lang`, a Teams or Telegram locale). It decides only where the conversation has no
language yet, at the start of a session; after that, only what the person writes
changes it (components/language_detector.py). Only the language is carried over to
a new session: answers given in an earlier fee dialogue are not reused an hour later.
"""
from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from language import language_hint

LANGUAGE_SLOT = "language"
METADATA_SLOT = "session_started_metadata"


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        language = tracker.get_slot(LANGUAGE_SLOT) or language_hint(tracker.get_slot(METADATA_SLOT))
        events = [SessionStarted()]
        if language:
            events.append(SlotSet(LANGUAGE_SLOT, language))
        events.append(ActionExecuted("action_listen"))
        return events
