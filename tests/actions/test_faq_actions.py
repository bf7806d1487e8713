"""FAQ and hand-over actions with real rasa_sdk Trackers: exact responses and buttons."""
import json

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerFaqChoice, ActionClarifyFaq
from actions.handover import ActionHandover


def tracker(language=None, ranking=None, entities=None, active_loop=None):
    latest = {
        "text": "some question",
        "intent": {"name": "faq", "confidence": 0.5},
        "entities": entities or [],
        "response_selector": {"faq": {"ranking": ranking or []}},
    }
    return Tracker(
        "tester", {"language": language}, latest, [], False, None,
        {"name": active_loop} if active_loop else {}, "action_listen",
    )


def ranking(*pairs):
    return [{"intent_response_key": f"faq/{key}", "confidence": c} for key, c in pairs]


def run(action, t):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, {})
    return dispatcher.messages, events


@pytest.mark.parametrize("language, titles", [
    ("en", ["Maths requirement (7.5 ECTS)", "Recommended maths background", "None of these"]),
    ("nb", ["Krav til matematikk (7,5 studiepoeng)", "Anbefalt matematikkbakgrunn", "Ingen av disse"]),
])
def test_clarify_offers_the_two_closest_answers_and_none(language, titles):
    messages, events = run(ActionClarifyFaq(), tracker(language, ranking(("math_requirement", 0.45), ("math_preparation", 0.4), ("online_courses", 0.05))))
    assert events == []
    assert [m["response"] for m in messages] == ["utter_clarify_faq"]
    buttons = messages[0]["buttons"]
    assert [b["title"] for b in buttons] == titles
    assert json.loads(buttons[0]["payload"][len("/faq_choice"):]) == {"faq_key": "math_requirement"}
    assert buttons[-1]["payload"] == "/human_handoff"


def test_clarify_without_plausible_answers_hands_over():
    messages, _ = run(ActionClarifyFaq(), tracker("en", ranking(("math_requirement", 0.05))))
    assert [m["response"] for m in messages] == ["utter_handover_programme"]


def test_chosen_answer_is_given():
    t = tracker("nb", entities=[{"entity": "faq_key", "value": "fee_law"}])
    messages, _ = run(ActionAnswerFaqChoice(), t)
    assert [m["response"] for m in messages] == ["utter_faq/fee_law"]


@pytest.mark.parametrize("key", ["no_such_faq", ""])
def test_unknown_choice_hands_over(key):
    messages, _ = run(ActionAnswerFaqChoice(), tracker("en", entities=[{"entity": "faq_key", "value": key}]))
    assert [m["response"] for m in messages] == ["utter_handover_programme"]


@pytest.mark.parametrize("closest, confidence, active_loop, expected", [
    ("fee_who_pays", 0.6, None, "utter_handover_fees"),
    ("refund_withdrawal", 0.35, None, "utter_handover_fees"),
    ("math_requirement", 0.6, None, "utter_handover_programme"),
    ("fee_who_pays", 0.1, None, "utter_handover_programme"),  # too unsure to say it is about fees
    ("math_requirement", 0.1, "fee_form", "utter_handover_fees"),  # inside the fee dialogue
])
def test_handover_picks_the_contact_by_topic(closest, confidence, active_loop, expected):
    messages, _ = run(ActionHandover(), tracker("en", ranking((closest, confidence)), active_loop=active_loop))
    assert [m["response"] for m in messages] == [expected]


# --- session start: the channel's language hint -----------------------------------

from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet  # noqa: E402

from actions.session import ActionSessionStart  # noqa: E402


def session_tracker(language, metadata):
    return Tracker("tester", {"language": language, "session_started_metadata": metadata}, {}, [], False, None, {}, "")


@pytest.mark.parametrize("language, metadata, expected", [
    (None, {"language": "nb"}, [SessionStarted(), SlotSet("language", "nb"), ActionExecuted("action_listen")]),
    (None, {"locale": "nb-NO"}, [SessionStarted(), SlotSet("language", "nb"), ActionExecuted("action_listen")]),
    (None, None, [SessionStarted(), ActionExecuted("action_listen")]),
    # the conversation's language wins over the hint
    ("en", {"language": "nb"}, [SessionStarted(), SlotSet("language", "en"), ActionExecuted("action_listen")]),
])
def test_session_start_takes_the_hint_only_when_the_conversation_has_no_language(language, metadata, expected):
    assert ActionSessionStart().run(CollectingDispatcher(), session_tracker(language, metadata), {}) == expected
