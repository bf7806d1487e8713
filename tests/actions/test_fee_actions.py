"""The personal fee actions with real rasa_sdk Trackers: what is asked, what is answered.

Messages are parsed by the real rule-based entity extractor, so each test reads like the
conversation it checks. The clock is injected through FEES_TODAY.
"""
import asyncio
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.fees
from actions.fee_forms import ValidateFeeForm, ValidateRefundForm
from actions.fees import ActionFeeAnswer, ActionRefundAnswer
from entities import extract_entities

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain" / "fees_personal.yml").read_text(encoding="utf-8"))
SLOTS = list(DOMAIN["slots"])
TODAY = "2026-08-05"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setenv("FEES_TODAY", TODAY)


def tracker(text: str = "", intent: str = "inform", language: str = "en", requested: Optional[str] = None,
            **slots: Any) -> Tracker:
    """A tracker right after the person said `text` (entities from the real extractor)."""
    entities = extract_entities(text, language) if text else []
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities}
    values = {**{name: None for name in SLOTS}, **slots, "language": language, "requested_slot": requested}
    events = [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker("test", values, latest, events, False, None, {}, "action_listen")


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, t, DOMAIN)
    events = asyncio.run(result) if asyncio.iscoroutine(result) else result
    return events, dispatcher.messages


def answer(action, **slots) -> Dict[str, Any]:
    events, messages = run(action, tracker(**slots))
    assert events == [] and len(messages) == 1
    return messages[0]


def slot_events(events: List[Dict]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


# --- the answers -------------------------------------------------------------------

def test_a_nigerian_masters_student_full_time_pays_254_950_a_year():
    message = answer(ActionFeeAnswer(), country="NG", level="master", start_term="from_autumn_2023",
                     special_situation="none", percentage=100.0)
    assert message["response"] == "utter_fee_result_year"
    assert message["amount"] == "NOK 254,950" and message["category"] == "C"
    assert message["country_name"] == "Nigeria"


def test_in_norwegian_the_amount_is_written_254_950_kr():
    message = answer(ActionFeeAnswer(), language="nb", country="NG", level="master",
                     start_term="from_autumn_2023", special_situation="none", percentage=100.0)
    assert message["response"] == "utter_fee_result_year" and message["amount"] == "254 950 kr"


def test_at_40_percent_part_time_the_fee_is_101_980():
    message = answer(ActionFeeAnswer(), country="NG", level="master", start_term="from_autumn_2023",
                     special_situation="none", percentage=40.0)
    assert message["response"] == "utter_fee_result_part_time"
    assert (message["amount"], message["share"], message["full_amount"]) == ("NOK 101,980", "40", "NOK 254,950")


def test_two_courses_of_7_5_credits_cost_63_737_50():
    message = answer(ActionFeeAnswer(), language="nb", country="IN", level="master",
                     start_term="from_autumn_2023", special_situation="none", credits=15.0)
    assert message["response"] == "utter_fee_result_credits"
    assert (message["amount"], message["credits"], message["credits_per_year"]) == ("63 737,50 kr", "15", 60)


def test_a_dane_pays_nothing():
    message = answer(ActionFeeAnswer(), country="DK")
    assert message["response"] == "utter_fee_result_exempt_eu_eea_swiss"
    assert message["country_name"] == "Denmark"


def test_a_phd_candidate_pays_nothing_whatever_the_citizenship():
    assert answer(ActionFeeAnswer(), level="phd")["response"] == "utter_fee_result_exempt_phd"


def test_permanent_residence_means_apply_for_exemption():
    message = answer(ActionFeeAnswer(), country="IN", level="master", start_term="from_autumn_2023",
                     special_situation="permanent_residence")
    assert message["response"] == "utter_fee_result_apply_for_exemption"


def test_a_bachelor_is_not_covered_and_no_amount_is_given():
    message = answer(ActionFeeAnswer(), country="IN", level="bachelor")
    assert message["response"] == "utter_fee_result_uncovered" and "amount" not in message


def test_withdrawing_on_10_august_keeps_5_000_back():
    message = answer(ActionRefundAnswer(), refund_reason="withdrawal", withdrawal_date="2026-08-10")
    assert message["response"] == "utter_refund_result_partial"
    assert (message["kept"], message["date"]) == ("NOK 5,000", "10 August 2026")


def test_with_the_amount_paid_the_exact_refund_is_given():
    message = answer(ActionRefundAnswer(), language="nb", refund_reason="withdrawal",
                     withdrawal_date="2026-08-10", amount_paid=254950.0)
    assert message["response"] == "utter_refund_result_partial_amount"
    assert (message["amount"], message["kept"], message["date"]) == ("249 950 kr", "5 000 kr", "10. august 2026")


def test_withdrawal_on_1_august_is_ambiguous_on_the_page():
    message = answer(ActionRefundAnswer(), refund_reason="withdrawal", withdrawal_date="2026-08-01")
    assert message["response"] == "utter_refund_result_ambiguous" and "amount" not in message


def test_udi_refusal_gives_everything_back():
    assert answer(ActionRefundAnswer(), refund_reason="udi_refusal")["response"] == "utter_refund_result_udi_refusal"


def test_after_15_september_nothing_comes_back():
    message = answer(ActionRefundAnswer(), refund_reason="withdrawal", withdrawal_date="2026-09-16")
    assert message["response"] == "utter_refund_result_none"


def test_a_failing_engine_says_action_failed_and_no_amount(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("engine down")

    monkeypatch.setattr(actions.fees, "fee_for", broken)
    monkeypatch.setattr(actions.fees, "refund_for", broken)
    assert answer(ActionFeeAnswer(), country="NG", level="master") == {**answer_shape(), "response": "utter_action_failed"}
    assert answer(ActionRefundAnswer(), refund_reason="withdrawal")["response"] == "utter_action_failed"


def answer_shape() -> Dict[str, Any]:
    dispatcher = CollectingDispatcher()
    dispatcher.utter_message(response="utter_action_failed")
    return dispatcher.messages[0]


# --- what the forms take and ask ----------------------------------------------------

def test_the_first_message_answers_citizenship_programme_and_start():
    events, messages = run(ValidateFeeForm(), tracker("I'm an Indian citizen starting the MSc in August 2026",
                                                      intent="ask_personal_fee"))
    assert slot_events(events) == {"country": "IN", "level": "master", "start_term": "from_autumn_2023",
                                   "requested_slot": "special_situation"}
    assert messages == []


def test_an_eu_citizen_is_done_after_citizenship():
    events, _ = run(ValidateFeeForm(), tracker("I'm Danish", requested="country"))
    assert slot_events(events) == {"country": "DK", "requested_slot": None}


def test_a_phd_is_done_after_level():
    events, _ = run(ValidateFeeForm(), tracker("doktorgrad", language="nb", requested="level", country="IN"))
    assert slot_events(events) == {"level": "phd", "requested_slot": None}


def test_no_special_situation_then_the_study_share_is_asked():
    t = tracker("nei", intent="deny", language="nb", requested="special_situation", country="NG",
                level="master", start_term="from_autumn_2023")
    assert slot_events(run(ValidateFeeForm(), t)[0]) == {"special_situation": "none", "requested_slot": "percentage"}


def test_credits_answer_the_share_question():
    t = tracker("two courses of 7.5 credits", requested="percentage", country="NG", level="master",
                start_term="from_autumn_2023", special_situation="none")
    assert slot_events(run(ValidateFeeForm(), t)[0]) == {"credits": 15.0, "percentage": None, "requested_slot": None}


def test_a_correction_replaces_the_citizenship_and_ends_the_questions():
    t = tracker("actually I'm Swedish", intent="correct", country="IN", level="master")
    assert slot_events(run(ValidateFeeForm(), t)[0]) == {"country": "SE", "requested_slot": None}


def test_an_unclear_answer_is_asked_again():
    events, messages = run(ValidateFeeForm(), tracker("hmm", requested="country"))
    assert slot_events(events) == {"country": None, "requested_slot": "country"}
    assert [m["response"] for m in messages] == ["utter_fee_not_understood"]


def test_stop_is_left_to_the_stop_rule():
    events, messages = run(ValidateFeeForm(), tracker("avbryt", intent="stop", language="nb", requested="level"))
    assert slot_events(events) == {"requested_slot": "country"} and messages == []


def test_a_refund_request_with_a_date_asks_nothing_more():
    t = tracker("I withdrew on 10 August, what do I get back?", intent="ask_personal_refund")
    assert slot_events(run(ValidateRefundForm(), t)[0]) == {
        "refund_reason": "withdrawal", "withdrawal_date": "2026-08-10", "requested_slot": None}


@pytest.mark.parametrize("said, language, expected", [
    ("3 September", "en", "2026-09-03"),
    ("3. september", "nb", "2026-09-03"),
    ("20.08", "nb", "2026-08-20"),
    ("next week", "en", "2026-08-12"),
])
def test_withdrawal_dates_are_read_relative_to_the_injected_today(said, language, expected):
    t = tracker(said, language=language, requested="withdrawal_date", refund_reason="withdrawal")
    assert slot_events(run(ValidateRefundForm(), t)[0]) == {"withdrawal_date": expected, "requested_slot": None}


def test_the_amount_paid_is_taken_when_given():
    t = tracker("jeg har betalt 254 950 kr og trakk meg 12. august", intent="ask_personal_refund", language="nb")
    assert slot_events(run(ValidateRefundForm(), t)[0]) == {
        "refund_reason": "withdrawal", "withdrawal_date": "2026-08-12", "amount_paid": 254950.0,
        "requested_slot": None}


def test_udi_refusal_needs_no_date():
    t = tracker("UDI refused my study permit", intent="ask_personal_refund")
    assert slot_events(run(ValidateRefundForm(), t)[0]) == {"refund_reason": "udi_refusal", "requested_slot": None}


def test_slot_set_events_are_plain_dicts():
    assert SlotSet("country", "IN") == {"event": "slot", "timestamp": None, "name": "country", "value": "IN"}


def test_a_fee_question_during_the_refund_form_is_left_to_the_fee_form_rule():
    t = tracker("what would I pay as a Nigerian?", intent="ask_personal_fee", requested="refund_reason")
    events, messages = run(ValidateRefundForm(), t)
    assert slot_events(events) == {"requested_slot": "refund_reason"} and messages == []
