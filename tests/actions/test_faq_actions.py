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
    ("fee_contact", 0.5, None, "utter_handover_fees"),
    ("math_requirement", 0.6, None, "utter_handover_programme"),
    ("student_advisor", 0.5, None, "utter_handover_programme"),  # study plan, personal matters
    ("contact_programme", 0.5, None, "utter_handover_programme"),
    ("programme_overview", 0.5, None, "utter_handover_programme"),
    ("course_coordinator", 0.5, None, "utter_handover_course"),  # one specific course
    ("international_office", 0.5, None, "utter_handover_international"),  # studying at NTNU in general
    ("application_help", 0.4, None, "utter_handover_international"),
    ("fee_who_pays", 0.1, None, "utter_handover_programme"),  # too unsure to say it is about fees
    ("course_coordinator", 0.1, None, "utter_handover_programme"),  # too unsure: the advisers
    ("math_requirement", 0.1, "fee_form", "utter_handover_fees"),  # inside the fee dialogue
])
def test_handover_picks_the_contact_by_topic(closest, confidence, active_loop, expected):
    messages, _ = run(ActionHandover(), tracker("en", ranking((closest, confidence)), active_loop=active_loop))
    assert [m["response"] for m in messages] == [expected]


# The contact the person reads, in their language: the closest topic decides it.
@pytest.mark.parametrize("language", ["en", "nb"])
@pytest.mark.parametrize("closest, stated, not_stated", [
    ("student_advisor", "studier@iv.ntnu.no", "opptak@ntnu.no"),
    ("contact_programme", "studier@iv.ntnu.no", "opptak@ntnu.no"),
    ("course_coordinator", {"en": "course coordinator", "nb": "emneansvarlig"}, "opptak@ntnu.no"),
    ("fee_programme_amount", "opptak@ntnu.no", "admissions@st.ntnu.no"),
    ("refund_udi_refusal", "opptak@ntnu.no", "admissions@st.ntnu.no"),
    ("international_office", "admissions@st.ntnu.no", "opptak@ntnu.no"),
])
def test_handover_text_names_the_contact_of_the_closest_topic(language, closest, stated, not_stated):
    from content import response_text

    messages, _ = run(ActionHandover(), tracker(language, ranking((closest, 0.6), ("fee_contact", 0.2))))
    text = response_text(messages[0]["response"], language)
    assert (stated[language] if isinstance(stated, dict) else stated) in text
    assert not_stated not in text


def test_the_contact_comes_from_the_catalogue(monkeypatch):
    # Data, not code: changing the catalogue's contact changes the hand-over.
    from actions import faq_catalogue

    catalogue = {key: dict(entry) for key, entry in faq_catalogue.faq_topics().items()}
    catalogue["online_courses"]["contact"] = "international"
    monkeypatch.setattr(faq_catalogue, "faq_topics", lambda: catalogue)
    messages, _ = run(ActionHandover(), tracker("en", ranking(("online_courses", 0.6))))
    assert [m["response"] for m in messages] == ["utter_handover_international"]


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


# --- with the trained model: contact questions reach the right answer, near-misses are handed over

@pytest.fixture(scope="module")
def parse():
    import asyncio

    from rasa.core.agent import Agent

    from scripts.stack import MODEL

    agent = Agent.load(str(MODEL))
    return lambda text: asyncio.run(agent.parse_message(text))


@pytest.mark.parametrize("question, expected", [
    ("who should I speak to about planning my own studies?", "faq/student_advisor"),
    ("Hvem skal jeg snakke med om studieløpet og emnevalget mitt?", "faq/student_advisor"),
    ("jeg har noen personlige forhold jeg vil ta opp med noen på studiet, hvem?", "faq/student_advisor"),
    ("hvem bør jeg ta kontakt med?", "faq/contact_programme"),  # no topic: the contacts by topic
    ("How many years does the Industrial Ecology master last?", "faq/programme_overview"),
    ("hvilken by ligger masterprogrammet i industriell økologi i?", "faq/programme_overview"),
    ("how much do people earn after the industrial ecology master?", "handover"),
    ("hvor mye tjener man etter å ha tatt master i industriell økologi?", "handover"),
])
def test_the_model_sends_contact_questions_to_the_right_answer(parse, question, expected):
    from bench.quality import answer_of

    assert answer_of(parse(question)) == expected


@pytest.mark.parametrize("language, question", [
    ("en", "who should I speak to about planning my own studies?"),
    ("nb", "Hvem skal jeg snakke med om studieløpet og emnevalget mitt?"),
])
def test_an_unsure_study_plan_question_is_never_sent_to_the_fee_office(parse, language, question):
    from content import response_text

    parsed = parse(question)
    t = Tracker("tester", {"language": language}, parsed, [], False, None, {}, "action_listen")
    messages, _ = run(ActionHandover(), t)
    text = response_text(messages[0]["response"], language)
    assert "studier@iv.ntnu.no" in text and "opptak@ntnu.no" not in text
