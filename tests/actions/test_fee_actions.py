"""The personal fee actions with real rasa_sdk Trackers: what is asked, what is answered.

Messages are parsed by the real rule-based entity extractor, so each test reads like the
conversation it checks. The clock is injected through FEES_TODAY.
"""
import asyncio
from datetime import date
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
            after: str = "action_listen", **slots: Any) -> Tracker:
    """A tracker right after the person said `text` (entities from the real extractor)."""
    entities = extract_entities(text, language, date.fromisoformat(TODAY)) if text else []
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities}
    values = {**{name: None for name in SLOTS}, **slots, "language": language, "requested_slot": requested}
    # as Rasa sends it: ... action_listen, the message, [the rules' answer], then the form's own run
    events = [{"event": "action", "name": "action_listen"}, {"event": "user", "text": text, "parse_data": latest}]
    events += ([{"event": "action", "name": after}] if after != "action_listen" else [])
    events += [{"event": "action", "name": "fee_form"}]
    return Tracker("test", values, latest, events, False, None, {}, "fee_form")


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, t, DOMAIN)
    events = asyncio.run(result) if asyncio.iscoroutine(result) else result
    return events, dispatcher.messages


def answer(action, **slots) -> Dict[str, Any]:
    """The one message of an answer action (its events: `answer_slots`)."""
    events, messages = run(action, tracker(**slots))
    assert len(messages) == 1, messages
    return messages[0]


def answer_slots(action, **slots) -> Dict[str, Any]:
    events, _ = run(action, tracker(**slots))
    values = slot_events(events)
    return {"answer_rule": values["answer_rule"], "answer_amount": values["answer_amount"]}


def responses(action, **slots) -> List[str]:
    return [m["response"] for m in run(action, tracker(**slots))[1]]


def slot_events(events: List[Dict]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


# --- the answers -------------------------------------------------------------------

def test_a_nigerian_masters_student_full_time_pays_254_950_a_year():
    message = answer(ActionFeeAnswer(), country=["NG"], level="master", start_term="from_autumn_2023",
                     special_situation="none", percentage=100.0)
    assert message["response"] == "utter_fee_result_year"
    assert message["amount"] == "NOK 254,950" and message["category"] == "C"
    assert message["country_name"] == "Nigeria"


def test_in_norwegian_the_amount_is_written_254_950_kr():
    message = answer(ActionFeeAnswer(), language="nb", country=["NG"], level="master",
                     start_term="from_autumn_2023", special_situation="none", percentage=100.0)
    assert message["response"] == "utter_fee_result_year" and message["amount"] == "254 950 kr"


def test_at_40_percent_part_time_the_fee_is_101_980():
    message = answer(ActionFeeAnswer(), country=["NG"], level="master", start_term="from_autumn_2023",
                     special_situation="none", percentage=40.0)
    assert message["response"] == "utter_fee_result_part_time"
    assert (message["amount"], message["share"], message["full_amount"]) == ("NOK 101,980", "40", "NOK 254,950")


def test_two_courses_of_7_5_credits_cost_63_737_50():
    message = answer(ActionFeeAnswer(), language="nb", country=["IN"], level="master",
                     start_term="from_autumn_2023", special_situation="none", credits=15.0)
    assert message["response"] == "utter_fee_result_credits"
    assert (message["amount"], message["credits"], message["credits_per_year"]) == ("63 737,50 kr", "15", 60)


def test_a_dane_pays_nothing():
    message = answer(ActionFeeAnswer(), country=["DK"])
    assert message["response"] == "utter_fee_result_exempt_eu_eea_swiss"
    assert message["country_name"] == "Denmark"


def test_a_phd_candidate_pays_nothing_whatever_the_citizenship():
    assert answer(ActionFeeAnswer(), level="phd")["response"] == "utter_fee_result_exempt_phd"


def test_permanent_residence_means_apply_for_exemption():
    message = answer(ActionFeeAnswer(), country=["IN"], level="master", start_term="from_autumn_2023",
                     special_situation="permanent_residence")
    assert message["response"] == "utter_fee_result_apply_for_exemption"


def test_a_bachelor_is_not_covered_and_no_amount_is_given():
    message = answer(ActionFeeAnswer(), country=["IN"], level="bachelor")
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
    assert answer(ActionFeeAnswer(), country=["NG"], level="master") == {**answer_shape(), "response": "utter_action_failed"}
    assert answer(ActionRefundAnswer(), refund_reason="withdrawal")["response"] == "utter_action_failed"


def answer_shape() -> Dict[str, Any]:
    dispatcher = CollectingDispatcher()
    dispatcher.utter_message(response="utter_action_failed")
    return dispatcher.messages[0]


# --- what the answers report for automatic checks (answer_rule, answer_amount) ---------

NIGERIAN = dict(country=["NG"], level="master", start_term="from_autumn_2023", special_situation="none")


@pytest.mark.parametrize("action, slots, rule, amount", [
    (ActionFeeAnswer(), {**NIGERIAN, "percentage": 100.0}, "categories.C", 254950.0),
    (ActionFeeAnswer(), {**NIGERIAN, "percentage": 40.0}, "amounts.part_time", 101980.0),
    (ActionFeeAnswer(), {**NIGERIAN, "credits": 15.0}, "amounts.single_courses", 63737.5),
    (ActionFeeAnswer(), {"country": ["DK"]}, "automatic_exemptions.eu_eea_swiss", 0.0),
    (ActionFeeAnswer(), {"country": ["IN", "DE"]}, "automatic_exemptions.eu_eea_swiss", 0.0),
    (ActionFeeAnswer(), {"level": "phd"}, "phd", 0.0),
    (ActionFeeAnswer(), {**NIGERIAN, "special_situation": "permanent_residence"}, "apply_for_exemption", None),
    (ActionFeeAnswer(), {"country": ["IN"], "level": "bachelor"}, "open", None),
    (ActionRefundAnswer(), {"refund_reason": "withdrawal", "withdrawal_date": "2026-08-10"},
     "refunds.withdrawal.after_august_1", None),
    (ActionRefundAnswer(), {"refund_reason": "withdrawal", "withdrawal_date": "2026-08-10", "amount_paid": 254950.0},
     "refunds.withdrawal.after_august_1", 249950.0),
    (ActionRefundAnswer(), {"refund_reason": "withdrawal", "withdrawal_date": "2026-07-20"},
     "refunds.withdrawal.before_august_1", None),
    (ActionRefundAnswer(), {"refund_reason": "withdrawal", "withdrawal_date": "2026-09-16"},
     "refunds.withdrawal.after_september_15", 0.0),
    (ActionRefundAnswer(), {"refund_reason": "withdrawal", "withdrawal_date": "2026-08-01"}, "open", None),
    (ActionRefundAnswer(), {"refund_reason": "udi_refusal"}, "refunds.udi_refusal", None),
    (ActionRefundAnswer(), {"refund_reason": None, "unknown_slots": ["refund_reason"]}, "refunds", None),
    (ActionRefundAnswer(), {"refund_reason": "withdrawal", "unknown_slots": ["withdrawal_date"]},
     "refunds.withdrawal", None),
    (ActionFeeAnswer(), {"stuck_on": "country"}, "handover", None),
])
def test_the_answer_says_which_rule_decided_and_what_amount_it_states(action, slots, rule, amount):
    assert answer_slots(action, **slots) == {"answer_rule": rule, "answer_amount": amount}


def test_an_engine_failure_reports_failed(monkeypatch):
    monkeypatch.setattr(actions.fees, "fee_for", lambda *a, **k: 1 / 0)
    assert answer_slots(ActionFeeAnswer(), **NIGERIAN) == {"answer_rule": "failed", "answer_amount": None}


# --- several citizenships: any EU/EEA/Swiss one exempts, and the answer names it -------

@pytest.mark.parametrize("language, countries, decided, other", [
    ("en", ["IN", "DE"], "Germany", "India"),
    ("en", ["DE", "IN"], "Germany", "India"),
    ("nb", ["IN", "DE"], "Tyskland", "India"),
    ("nb", ["DE", "IN"], "Tyskland", "India"),
])
def test_a_dual_citizen_is_exempt_by_the_eu_citizenship_and_told_which(language, countries, decided, other):
    message = answer(ActionFeeAnswer(), language=language, country=countries)
    assert message["response"] == "utter_fee_result_exempt_eu_eea_swiss_dual"
    assert (message["country_name"], message["other_names"]) == (decided, other)
    assert "amount" not in message


def test_two_citizenships_outside_the_eu_pay_and_both_are_named():
    message = answer(ActionFeeAnswer(), country=["IN", "BR"], level="master", start_term="from_autumn_2023",
                     special_situation="none", percentage=100.0)
    assert (message["response"], message["amount"], message["country_name"]) == (
        "utter_fee_result_year", "NOK 254,950", "India and Brazil")


# --- "I don't know": the answer for the likely case, then what depends on it -------------

@pytest.mark.parametrize("slots, expected", [
    ({**NIGERIAN, "unknown_slots": ["percentage"]}, ["utter_fee_result_year", "utter_fee_depends_percentage"]),
    ({**NIGERIAN, "country": None, "unknown_slots": ["country"]}, ["utter_fee_result_year", "utter_fee_depends_country"]),
    ({**NIGERIAN, "start_term": None, "percentage": 100.0, "unknown_slots": ["start_term"]},
     ["utter_fee_result_year", "utter_fee_depends_start_term"]),
    ({**NIGERIAN, "special_situation": None, "percentage": 100.0, "unknown_slots": ["special_situation"]},
     ["utter_fee_result_year", "utter_fee_depends_special_situation"]),
    ({**NIGERIAN, "level": None, "percentage": 100.0, "unknown_slots": ["level"]},
     ["utter_fee_result_year", "utter_fee_depends_level"]),
    ({"stuck_on": "study_mode"}, ["utter_fee_depends_percentage", "utter_fee_stuck"]),
    ({"stuck_on": "special_kind"}, ["utter_fee_depends_special_situation", "utter_fee_stuck"]),
])
def test_what_the_person_did_not_know_is_answered_case_by_case(slots, expected):
    assert responses(ActionFeeAnswer(), **slots) == expected


def test_an_unknown_citizenship_is_answered_for_a_citizen_from_outside_the_eu():
    _, messages = run(ActionFeeAnswer(), tracker(language="nb", **{**NIGERIAN, "country": None,
                                                                   "unknown_slots": ["country"]}))
    assert messages[0]["country_name"] == "et land utenfor EU/EØS og Sveits"
    assert messages[0]["amount"] == "254 950 kr" and messages[1]["full_amount"] == "254 950 kr"


def test_when_stuck_the_answer_offers_the_contact_and_starts_afresh():
    events, messages = run(ActionFeeAnswer(), tracker(stuck_on="country", unusable_slot="country",
                                                      unusable_count=2.0, level="master"))
    assert messages[-1]["response"] == "utter_fee_stuck" and messages[-1]["contact"] == "opptak@ntnu.no"
    values = slot_events(events)
    assert values["stuck_on"] is None and values["level"] is None and values["unusable_count"] is None


@pytest.mark.parametrize("response, payload", [("utter_fee_stuck", "/ask_personal_fee"),
                                               ("utter_refund_stuck", "/ask_personal_refund")])
def test_the_stuck_offer_has_three_ways_out_in_both_languages(response, payload):
    variations = DOMAIN["responses"][response]
    assert len(variations) == 2 and variations[0]["condition"][0]["value"] == "nb"
    for variation in variations:
        assert "{contact}" in variation["text"]
        assert [b["payload"] for b in variation["buttons"]] == ["/human_handoff", payload, "/stop"]


# --- what the forms take and ask (table-driven; real entities from the real extractor) ---

FEE, REFUND = ValidateFeeForm(), ValidateRefundForm()
ASKED_SHARE = dict(NIGERIAN)  # everything known but the study share
# (name, form, text, intent, language, requested, known slots, expected slot values, responses)
FORM_CASES = [
    # yes/no questions take yes and no; "no" to full time asks the share next
    ("no to full time asks the share (en)", FEE, "no", "deny", "en", "study_mode", ASKED_SHARE,
     {"study_mode": "part_time", "requested_slot": "percentage"}, []),
    ("nei to full time asks the share (nb)", FEE, "nei", "deny", "nb", "study_mode", ASKED_SHARE,
     {"study_mode": "part_time", "requested_slot": "percentage"}, []),
    ("no to full time as a button", FEE, "", "deny", "en", "study_mode", ASKED_SHARE,
     {"study_mode": "part_time", "requested_slot": "percentage"}, []),
    ("yes to full time is 100 %", FEE, "yes", "affirm", "en", "study_mode", ASKED_SHARE,
     {"study_mode": "full_time", "percentage": 100.0, "requested_slot": None}, []),
    ("ja to full time is 100 %", FEE, "ja", "affirm", "nb", "study_mode", ASKED_SHARE,
     {"study_mode": "full_time", "percentage": 100.0, "requested_slot": None}, []),
    ("the share as a bare number", FEE, "60", "inform", "en", "percentage", {**ASKED_SHARE, "study_mode": "part_time"},
     {"percentage": 60.0, "requested_slot": None}, []),
    ("no special situation, then full time is asked", FEE, "nei", "deny", "nb", "special_situation",
     {**NIGERIAN, "special_situation": None}, {"special_situation": "none", "requested_slot": "study_mode"}, []),
    ("yes to the special situations asks which one", FEE, "yes", "affirm", "en", "special_situation",
     {**NIGERIAN, "special_situation": None}, {"special_situation": "yes", "requested_slot": "special_kind"}, []),
    ("which one: Erasmus Mundus", FEE, "Erasmus Mundus", "inform", "en", "special_kind",
     {**NIGERIAN, "special_situation": "yes"}, {"special_situation": "erasmus_mundus", "requested_slot": None}, []),
    ("which one: none after all", FEE, "nei", "deny", "nb", "special_kind",
     {**NIGERIAN, "special_situation": "yes"}, {"special_situation": "none", "requested_slot": "study_mode"}, []),
    # I don't know: not asked again
    ("I don't know to full time", FEE, "I don't know", "dont_know", "en", "study_mode", ASKED_SHARE,
     {"unknown_slots": ["percentage"], "requested_slot": None}, []),
    ("vet ikke to the share", FEE, "vet ikke", "dont_know", "nb", "percentage", {**ASKED_SHARE, "study_mode": "part_time"},
     {"unknown_slots": ["percentage"], "requested_slot": None}, []),
    ("no idea when I start", FEE, "no idea", "dont_know", "en", "start_term", {**NIGERIAN, "start_term": None},
     {"unknown_slots": ["start_term"], "requested_slot": "study_mode"}, []),
    ("usikker about the citizenship", FEE, "jeg er usikker", "dont_know", "nb", "country", {},
     {"unknown_slots": ["country"], "requested_slot": "level"}, []),
    # what the first message says is not asked again
    ("this autumn is after autumn 2023", FEE, "I'm Indian and start the MSc this autumn, what will I pay?",
     "ask_personal_fee", "en", None, {}, {"country": ["IN"], "level": "master", "start_term": "from_autumn_2023",
                                          "requested_slot": "special_situation"}, []),
    ("skal begynne is after autumn 2023", FEE, "jeg er indisk og skal begynne på masteren, hva må jeg betale?",
     "ask_personal_fee", "nb", None, {}, {"start_term": "from_autumn_2023", "requested_slot": "special_situation"}, []),
    ("in August 2026", FEE, "I'm Kenyan, MSc in August 2026", "ask_personal_fee", "en", None, {},
     {"start_term": "from_autumn_2023", "requested_slot": "special_situation"}, []),
    ("started in 2022 is before the fee", FEE, "I'm Kenyan and started the MSc in 2022", "ask_personal_fee", "en",
     None, {}, {"start_term": "before_autumn_2023", "requested_slot": None}, []),
    ("PhD is the level", FEE, "I'm Indian and a PhD candidate, what's my fee?", "ask_personal_fee", "en", None, {},
     {"level": "phd", "requested_slot": None}, []),
    ("stipendiat is the level", FEE, "jeg er stipendiat fra Iran", "ask_personal_fee", "nb", None, {},
     {"level": "phd", "requested_slot": None}, []),
    ("deltid goes straight to the share", FEE, "jeg er indisk og skal studere masteren på deltid fra høsten 2026",
     "ask_personal_fee", "nb", None, {"special_situation": "none"},
     {"study_mode": "part_time", "requested_slot": "percentage"}, []),
    ("part time goes straight to the share", FEE, "I'm Indian, MSc part time from autumn 2026", "ask_personal_fee",
     "en", None, {"special_situation": "none"}, {"study_mode": "part_time", "requested_slot": "percentage"}, []),
    # corrections
    ("actually I'm German ends the questions", FEE, "actually I'm German", "correct", "en", "study_mode", ASKED_SHARE,
     {"country": ["DE"], "requested_slot": None}, []),
    ("nei, jeg mente deltid after full time", FEE, "nei, jeg mente deltid", "correct", "nb", None,
     {**ASKED_SHARE, "study_mode": "full_time", "percentage": 100.0},
     {"study_mode": "part_time", "percentage": None, "requested_slot": "percentage"}, []),
    ("Indian, not Swedish", FEE, "I'm Indian, not Swedish", "correct", "en", None, {"country": ["SE"]},
     {"country": ["IN"], "requested_slot": "level"}, []),
    # several citizenships, both orders, both languages
    ("dual citizenship, India and Germany", FEE, "dual citizenship, India and Germany, what do I pay?",
     "ask_personal_fee", "en", None, {}, {"country": ["IN", "DE"], "requested_slot": None}, []),
    ("Germany and India", FEE, "I'm German and Indian, what do I pay?", "ask_personal_fee", "en", None, {},
     {"country": ["DE", "IN"], "requested_slot": None}, []),
    ("tysk og indisk", FEE, "jeg er tysk og indisk, hva må jeg betale?", "ask_personal_fee", "nb", None, {},
     {"country": ["DE", "IN"], "requested_slot": None}, []),
    ("indisk og tysk", FEE, "jeg er indisk og tysk statsborger", "inform", "nb", "country", {},
     {"country": ["IN", "DE"], "requested_slot": None}, []),
    ("also a German passport", FEE, "I also have a German passport", "inform", "en", "level", {"country": ["IN"]},
     {"country": ["IN", "DE"], "requested_slot": None}, []),
    # answers the question cannot use: asked twice at most
    ("an unusable answer is asked again once", FEE, "hmm", "nlu_fallback", "en", "country", {},
     {"unusable_slot": "country", "unusable_count": 1.0, "requested_slot": "country"}, ["utter_fee_not_understood"]),
    ("the second unusable answer stops the asking", FEE, "hmm", "nlu_fallback", "en", "country",
     {"unusable_slot": "country", "unusable_count": 1.0}, {"stuck_on": "country", "requested_slot": None}, []),
    ("trouble with another question does not count for this one", FEE, "nei", "deny", "nb", "study_mode",
     {**ASKED_SHARE, "study_mode": "part_time", "unusable_slot": "percentage", "unusable_count": 1.0},
     {"stuck_on": None}, []),
    ("an answer to another question counts for this one", FEE, "I'm doing the master", "inform", "en", "country",
     {"unusable_slot": "country", "unusable_count": 1.0}, {"level": "master", "stuck_on": "country",
                                                          "requested_slot": None}, []),
    # refund form
    ("I don't know why", REFUND, "I don't know", "dont_know", "en", "refund_reason", {},
     {"unknown_slots": ["refund_reason"], "requested_slot": None}, []),
    ("vet ikke the date", REFUND, "vet ikke", "dont_know", "nb", "withdrawal_date", {"refund_reason": "withdrawal"},
     {"unknown_slots": ["withdrawal_date"], "requested_slot": None}, []),
    ("sorry, I meant 3 October", REFUND, "sorry, I meant 3 October", "correct", "en", None,
     {"refund_reason": "withdrawal", "withdrawal_date": "2026-09-03"},
     {"withdrawal_date": "2026-10-03", "requested_slot": None}, []),
    ("a refund question that cannot be used twice", REFUND, "hmm", "nlu_fallback", "en", "withdrawal_date",
     {"refund_reason": "withdrawal", "unusable_slot": "withdrawal_date", "unusable_count": 1.0},
     {"stuck_on": "withdrawal_date", "requested_slot": None}, []),
]


@pytest.mark.parametrize("name, form, text, intent, language, requested, known, expected, said", FORM_CASES,
                         ids=[c[0] for c in FORM_CASES])
def test_form(name, form, text, intent, language, requested, known, expected, said):
    events, messages = run(form, tracker(text, intent=intent, language=language, requested=requested, **known))
    values = slot_events(events)
    for slot, value in expected.items():
        assert values.get(slot, known.get(slot)) == value, (slot, values)
    assert [m["response"] for m in messages] == said


@pytest.mark.parametrize("intent, text", [("stop", "avbryt"), ("faq", "How do I pay the tuition fee?"),
                                          ("ask_personal_refund", "what do I get back if I withdraw?")])
def test_what_is_no_answer_is_left_to_the_rules(intent, text):
    events, messages = run(FEE, tracker(text, intent=intent, requested="level", country=["IN"]))
    assert slot_events(events) == {"requested_slot": "level"} and messages == []  # only: Rasa rejects


def test_a_fee_faq_naming_a_country_does_not_fill_the_citizenship():
    events, _ = run(FEE, tracker("Do Germans pay the fee?", intent="faq", requested="level", country=["IN"]))
    assert slot_events(events) == {"requested_slot": "level"}


def test_a_new_fee_question_starts_what_was_stuck_afresh():
    t = tracker("what would I pay as a Nigerian?", intent="ask_personal_fee", stuck_on="country",
                unusable_slot="country", unusable_count=2.0)
    values = slot_events(run(FEE, t)[0])
    assert values["stuck_on"] is None and values["country"] == ["NG"] and values["requested_slot"] == "level"


def test_a_refund_request_with_a_date_in_the_fee_kept_window_asks_only_the_amount_paid():
    t = tracker("I withdrew on 10 August, what do I get back?", intent="ask_personal_refund")
    values = slot_events(run(REFUND, t)[0])
    assert (values["refund_reason"], values["withdrawal_date"], values["requested_slot"]) == (
        "withdrawal", "2026-08-10", "amount_paid")


@pytest.mark.parametrize("said", ["I withdrew on 20 July", "I withdrew on 3 October", "UDI refused my permit"])
def test_outside_the_fee_kept_window_the_amount_paid_is_not_asked(said):
    values = slot_events(run(REFUND, tracker(said, intent="ask_personal_refund"))[0])
    assert values["requested_slot"] is None


@pytest.mark.parametrize("said, language, expected", [
    ("3 September", "en", "2026-09-03"),
    ("3. september", "nb", "2026-09-03"),
    ("20.08", "nb", "2026-08-20"),
    ("next week", "en", "2026-08-12"),
])
def test_withdrawal_dates_are_read_relative_to_the_injected_today(said, language, expected):
    t = tracker(said, language=language, requested="withdrawal_date", refund_reason="withdrawal")
    values = slot_events(run(REFUND, t)[0])
    # all four are after 1 August and by 15 September: the amount paid is asked next
    assert (values["withdrawal_date"], values["requested_slot"]) == (expected, "amount_paid")


def test_the_amount_paid_is_taken_when_given():
    t = tracker("jeg har betalt 254 950 kr og trakk meg 12. august", intent="ask_personal_refund", language="nb")
    values = slot_events(run(REFUND, t)[0])
    assert (values["refund_reason"], values["withdrawal_date"], values["amount_paid"]) == (
        "withdrawal", "2026-08-12", 254950.0)


def test_udi_refusal_needs_no_date():
    t = tracker("UDI refused my study permit", intent="ask_personal_refund")
    values = slot_events(run(REFUND, t)[0])
    assert (values["refund_reason"], values["requested_slot"]) == ("udi_refusal", None)


def test_slot_set_events_are_plain_dicts():
    assert SlotSet("country", ["IN"]) == {"event": "slot", "timestamp": None, "name": "country", "value": ["IN"]}


# --- never a third ask in a row, whatever the reply was taken for ----------------------------

# Back in the form after the rules answered a FAQ / chit-chat the person replied with
# (latest action not action_listen): that turn did not fill the question either.
@pytest.mark.parametrize("intent, text, language", [
    ("faq", "what is the programme about?", "en"),
    ("faq", "hva handler programmet om?", "nb"),
    ("greet", "hello", "en"),
    ("faq_ambiguous", "fees?", "en"),
])
def test_a_reply_answered_elsewhere_counts_and_the_second_stops_the_asking(intent, text, language):
    first_time = slot_events(run(FEE, tracker(text, intent=intent, language=language, requested="level",
                                              after="utter_faq", country=["IN"]))[0])
    assert (first_time["unusable_slot"], first_time["unusable_count"], first_time["requested_slot"]) == (
        "level", 1.0, "level")
    second = slot_events(run(FEE, tracker(text, intent=intent, language=language, requested="level",
                                          after="utter_faq", country=["IN"], unusable_slot="level",
                                          unusable_count=1.0))[0])
    assert (second["stuck_on"], second["requested_slot"]) == ("level", None)


def test_the_rejected_turn_itself_is_not_counted_twice():
    # The run right after the person spoke (action_listen) only rejects, so Rasa lets the rules answer.
    events, messages = run(FEE, tracker("what is the programme about?", intent="faq", requested="level",
                                        country=["IN"]))
    assert slot_events(events) == {"requested_slot": "level"} and messages == []


# A reply that answers the requested question is taken even when the model read it as a FAQ.
@pytest.mark.parametrize("text, language, requested, known, expected", [
    ("the master in industrial ecology", "en", "level", {"country": ["IN"]}, {"level": "master"}),
    ("master i industriell økologi", "nb", "level", {"country": ["IN"]}, {"level": "master"}),
    ("masterprogrammet i industriell okologi", "nb", "level", {"country": ["IN"]}, {"level": "master"}),
    ("I'm from Ghana", "en", "country", {}, {"country": ["GH"]}),
    ("60 prosent", "nb", "percentage", {"study_mode": "part_time"}, {"percentage": 60.0}),
])
def test_a_reply_filling_the_question_is_an_answer_whatever_its_intent(text, language, requested, known, expected):
    values = slot_events(run(FEE, tracker(text, intent="faq", language=language, requested=requested, **known))[0])
    for slot, value in expected.items():
        assert values[slot] == value


# --- the share, as people write it (the worst outcome is a wrong amount) --------------------

SHARE_REPLIES = [
    # (text, language, requested, expected percentage, expected study_mode)
    ("no, 60 percent", "en", "study_mode", 60.0, "part_time"),
    ("No, I study 60%", "en", "study_mode", 60.0, "part_time"),
    ("no, only sixty percent", "en", "study_mode", 60.0, "part_time"),
    ("no, only 60", "en", "study_mode", 60.0, "part_time"),
    ("no 75", "en", "study_mode", 75.0, "part_time"),
    ("nope, I'm not studying full time, 60%", "en", "study_mode", 60.0, "part_time"),
    ("not full time, more like 80 percent", "en", "study_mode", 80.0, "part_time"),
    ("no - three quarters", "en", "study_mode", 75.0, "part_time"),
    ("yes", "en", "study_mode", 100.0, "full_time"),
    ("yes full time", "en", "study_mode", 100.0, "full_time"),
    ("80%", "en", "percentage", 80.0, "part_time"),
    ("eighty percent", "en", "percentage", 80.0, "part_time"),
    ("80 %, that is 24 of 30 credits a semester", "en", "percentage", 80.0, "part_time"),
    ("about 60 per cent", "en", "percentage", 60.0, "part_time"),
    ("I'll do 40 pct", "en", "percentage", 40.0, "part_time"),
    ("half time", "en", "percentage", 50.0, "part_time"),
    ("nei, 60 prosent", "nb", "study_mode", 60.0, "part_time"),
    ("nei, jeg skal ikke studere heltid, bare 60 prosent", "nb", "study_mode", 60.0, "part_time"),
    ("nei bare 60", "nb", "study_mode", 60.0, "part_time"),
    ("ikke heltid, 80 %", "nb", "study_mode", 80.0, "part_time"),
    ("ja", "nb", "study_mode", 100.0, "full_time"),
    ("ja, heltid", "nb", "study_mode", 100.0, "full_time"),
    ("åtti prosent", "nb", "percentage", 80.0, "part_time"),
    ("atti prosent", "nb", "percentage", 80.0, "part_time"),
    ("80", "nb", "percentage", 80.0, "part_time"),
    ("80 prosent, altså 24 av 30 studiepoeng", "nb", "percentage", 80.0, "part_time"),
    ("halvparten", "nb", "percentage", 50.0, "part_time"),
    ("tre fjerdedeler", "nb", "percentage", 75.0, "part_time"),
    ("seksti prosent", "nb", "percentage", 60.0, "part_time"),
    ("60%", "nb", "percentage", 60.0, "part_time"),
]


@pytest.mark.parametrize("text, language, requested, share, mode", SHARE_REPLIES, ids=[r[0] for r in SHARE_REPLIES])
def test_the_share_is_read_as_written(text, language, requested, share, mode):
    intent = {"yes": "affirm", "ja": "affirm"}.get(text.split()[0].strip(","), "inform")
    known = {**ASKED_SHARE, "study_mode": "part_time"} if requested == "percentage" else ASKED_SHARE
    values = slot_events(run(FEE, tracker(text, intent=intent, language=language, requested=requested, **known))[0])
    assert (values["percentage"], values["study_mode"]) == (share, mode)


def test_60_percent_after_no_to_full_time_costs_152_970():
    values = slot_events(run(FEE, tracker("no, 60 percent", intent="deny", requested="study_mode", **ASKED_SHARE))[0])
    slots = {**ASKED_SHARE, "percentage": values["percentage"], "study_mode": values["study_mode"]}
    assert answer_slots(ActionFeeAnswer(), **slots)["answer_amount"] == 152970.0


def test_80_percent_beside_credits_costs_203_960():
    values = slot_events(run(FEE, tracker("80 %, 24 of 30 credits", requested="percentage",
                                          **{**ASKED_SHARE, "study_mode": "part_time"}))[0])
    slots = {**ASKED_SHARE, "percentage": values["percentage"], "credits": values["credits"], "study_mode": "part_time"}
    assert answer_slots(ActionFeeAnswer(), **slots)["answer_amount"] == 203960.0


# --- citizenship: what is not a citizenship the person has now -------------------------------

CITIZENSHIP_REPLIES = [
    ("I am Nigerian but I live in Germany", "en", ["NG"]),
    ("I'm Indian, living in Sweden for work", "en", ["IN"]),
    ("I was born in France but I'm a Ghanaian citizen", "en", ["GH"]),
    ("I used to be a French citizen, now only Canadian", "en", ["CA"]),
    ("previously Spanish, now Mexican", "en", ["MX"]),
    ("not an EU citizen, I'm from Ghana", "en", ["GH"]),
    ("No, I'm not from the EU, I'm Pakistani", "en", ["PK"]),
    ("I'm Spanish and also Mexican", "en", ["ES", "MX"]),
    ("Irish", "en", ["IE"]),
    ("jeg er indisk men bor i Tyskland", "nb", ["IN"]),
    ("jeg var tidligere svensk, nå er jeg bare amerikansk", "nb", ["US"]),
    ("tidligere dansk statsborger, nå kenyansk", "nb", ["KE"]),
    ("født i Frankrike, men statsborger i Ghana", "nb", ["GH"]),
    ("jeg er tysk statsborger", "nb", ["DE"]),
    ("Nei, jeg er fra Pakistan", "nb", ["PK"]),
]


@pytest.mark.parametrize("text, language, expected", CITIZENSHIP_REPLIES, ids=[c[0] for c in CITIZENSHIP_REPLIES])
def test_only_the_persons_own_citizenships_count(text, language, expected):
    values = slot_events(run(FEE, tracker(text, language=language, requested="country"))[0])
    assert values["country"] == expected


# --- withdrawal dates and the amount paid ----------------------------------------------------

@pytest.mark.parametrize("said, language, day", [
    ("1 August", "en", "2026-08-01"),
    ("on 1 August 2026", "en", "2026-08-01"),
    ("the first of August", "en", "2026-08-01"),
    ("August 1st", "en", "2026-08-01"),
    ("1. august", "nb", "2026-08-01"),
    ("1. august 2026", "nb", "2026-08-01"),
    ("1.8.2026", "nb", "2026-08-01"),
    ("1.8.", "nb", "2026-08-01"),
    ("den første august", "nb", "2026-08-01"),
    ("før 1. august", "nb", "2026-07-31"),
    ("before 1 August", "en", "2026-07-31"),
    ("etter 1. august", "nb", "2026-08-02"),
    ("after August 1st", "en", "2026-08-02"),
    ("femte september", "nb", "2026-09-05"),
])
def test_withdrawal_days_and_bounds(monkeypatch, said, language, day):
    monkeypatch.setenv("FEES_TODAY", "2026-07-20")  # before them all: each is this year's
    t = tracker(said, language=language, requested="withdrawal_date", refund_reason="withdrawal")
    assert slot_events(run(REFUND, t)[0])["withdrawal_date"] == day


@pytest.mark.parametrize("said, language, paid", [
    ("254 950", "nb", 254950.0), ("254950 kr", "nb", 254950.0), ("NOK 254,950", "en", 254950.0),
    ("I paid 127 475", "en", 127475.0), ("jeg har betalt 127475", "nb", 127475.0),
])
def test_the_amount_paid_answers_how_much(said, language, paid):
    t = tracker(said, language=language, requested="amount_paid", refund_reason="withdrawal",
                withdrawal_date="2026-08-10")
    assert slot_events(run(REFUND, t)[0])["amount_paid"] == paid


@pytest.mark.parametrize("slots, rule, amount", [
    ({"refund_reason": "withdrawal", "withdrawal_date": "2026-08-10", "amount_paid": 254950.0},
     "refunds.withdrawal.after_august_1", 249950.0),
    ({"refund_reason": "udi_refusal", "amount_paid": 254950.0}, "refunds.udi_refusal", 254950.0),
    ({"refund_reason": "withdrawal", "withdrawal_date": "2026-07-20", "amount_paid": 127475.0},
     "refunds.withdrawal.before_august_1", 127475.0),
    ({"refund_reason": "withdrawal", "withdrawal_date": "2026-08-01", "amount_paid": 127475.0}, "open", None),
])
def test_the_refund_amount_is_what_was_paid_less_what_is_kept(slots, rule, amount):
    assert answer_slots(ActionRefundAnswer(), **slots) == {"answer_rule": rule, "answer_amount": amount}


def test_dont_know_the_amount_paid_still_answers_the_rule():
    t = tracker("I don't know", intent="dont_know", requested="amount_paid", refund_reason="withdrawal",
                withdrawal_date="2026-08-10")
    values = slot_events(run(REFUND, t)[0])
    assert values["unknown_slots"] == ["amount_paid"] and values["requested_slot"] is None
    assert answer_slots(ActionRefundAnswer(), refund_reason="withdrawal", withdrawal_date="2026-08-10",
                        unknown_slots=["amount_paid"])["answer_rule"] == "refunds.withdrawal.after_august_1"
