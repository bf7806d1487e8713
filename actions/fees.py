"""Personal fee answers: what this person pays, and what they get back after a withdrawal.

Thin callers of `fees` (the rules) that pick responses of domain/fees_personal.yml and fill in
the engine's figures. Any failure says `utter_action_failed`, never a guessed amount.
After answering they set `answer_rule` (the engine's rule id that decided, "open" when the page
does not settle it, "handover" when the dialogue gave up on a question, "failed" on an error)
and `answer_amount` (the NOK the answer states, 0 for an exemption, else None), so a user
simulator can check the answer against the engine.
A question the person did not know ("vet ikke") is answered case by case: the answer for the
likely case, then what depends on it. The clock is injectable: FEES_TODAY=YYYY-MM-DD or patch `today`.
"""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from datetime import date
from decimal import Decimal
from typing import Any, Dict, List, Optional, Text, Tuple

from babel.dates import format_date
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from entities.countries import country_name
from entities.dates import clock
from fees import Outcome, Situation, annual_fee, fee_for, format_nok, refund_for
from fees.facts import contact, fact

logger = logging.getLogger(__name__)
PROGRAMME = "industrial_ecology"  # this assistant's programme (category in fees.yml `programmes`)
Message = Tuple[str, Dict[str, Any]]
Answer = Tuple[List[Message], str, Optional[float]]  # messages, answer_rule, answer_amount
EXEMPT = {
    "phd": "utter_fee_result_exempt_phd",
    "automatic_exemptions.eu_eea_swiss": "utter_fee_result_exempt_eu_eea_swiss",
    "automatic_exemptions.partner_exchange": "utter_fee_result_exempt_partner_exchange",
    "automatic_exemptions.started_before_fees": "utter_fee_result_exempt_started_before_fees",
    "automatic_exemptions.joint_master": "utter_fee_result_exempt_joint_master",
    "automatic_exemptions.hkdir_scholarship": "utter_fee_result_exempt_hkdir_scholarship",
}
AMOUNT = {"amounts.part_time": "utter_fee_result_part_time",
          "amounts.above_full_load": "utter_fee_result_above_full_load"}
SITUATIONS = {"partner_exchange": {"partner_exchange": True}, "hkdir_scholarship": {"hkdir_scholarship": True},
              "erasmus_mundus": {"joint_master": "erasmus_mundus"},
              "nordic_five_tech": {"joint_master": "nordic_five_tech"},
              "permanent_residence": {"permanent_residence": True}}
REFUND = {"refunds.udi_refusal": "utter_refund_result_udi_refusal",
          "refunds.withdrawal.before_august_1": "utter_refund_result_full",
          "refunds.withdrawal.after_august_1": "utter_refund_result_partial",
          "refunds.withdrawal.after_september_15": "utter_refund_result_none",
          "refunds.withdrawal.on_august_1": "utter_refund_result_ambiguous"}
FEE_QUESTIONS = ("country", "level", "start_term", "special_situation", "percentage")  # order of "depends" notes
FORM_SLOTS = ("country", "level", "start_term", "special_situation", "study_mode", "percentage", "credits",
              "refund_reason", "withdrawal_date", "amount_paid", "unknown_slots")
BOOKKEEPING = ("unusable_slot", "unusable_count", "stuck_on")
OUTSIDE = {"en": "a country outside the EU/EEA and Switzerland", "nb": "et land utenfor EU/EØS og Sveits"}
AND = {"en": " and ", "nb": " og "}
OPEN = (Outcome.UNCOVERED, Outcome.AMBIGUOUS, Outcome.NEEDS_INFO)


def today() -> date:
    return clock()


def language(tracker: Tracker) -> str:
    return "nb" if tracker.get_slot("language") == "nb" else "en"


def number(value: Any, lang: str) -> str:
    """15 / 7.5 in English, 15 / 7,5 in Norwegian."""
    text = f"{Decimal(str(value)).normalize():f}"
    return text.replace(".", ",") if lang == "nb" else text


def codes(tracker: Tracker) -> List[str]:
    value = tracker.get_slot("country") or []
    return [value] if isinstance(value, str) else list(value)


def names(country_codes: List[str], lang: str) -> str:
    return AND[lang].join(country_name(c, lang) for c in country_codes) if country_codes else OUTSIDE[lang]


def unknown(tracker: Tracker) -> List[str]:
    return list(tracker.get_slot("unknown_slots") or [])


def situation(tracker: Tracker) -> Situation:
    said = unknown(tracker)
    level = tracker.get_slot("level") or ("master" if "level" in said else None)
    return Situation(citizenships=tuple(codes(tracker)), level=level,
                     outside_eu_eea="country" in said and not codes(tracker),
                     started_before_fees=tracker.get_slot("start_term") == "before_autumn_2023",
                     **SITUATIONS.get(tracker.get_slot("special_situation"), {}))


def programme_values(lang: str) -> Dict[str, Any]:
    """The figures every fee text may name: full and half time for this programme, credits a year."""
    full, half = annual_fee(programme=PROGRAMME), annual_fee(programme=PROGRAMME, share_percent=50)
    return {"full_amount": format_nok(full.amount, lang), "half_amount": format_nok(half.amount, lang),
            "programme": fact(f"programmes.{PROGRAMME}")[lang], "category": full.category,
            "category_name": fact(f"categories.{full.category}")[lang],
            "credits_per_year": fact("conventions.credits_per_year")["value"], "contact": contact()}


def fee_result(tracker: Tracker, lang: str) -> Tuple[Message, Any]:
    credits = tracker.get_slot("credits")
    share = None if credits is not None else tracker.get_slot("percentage")
    result = fee_for(situation(tracker), programme=PROGRAMME, credits=credits, share_percent=share)
    values = {**programme_values(lang), "country_name": names(codes(tracker), lang)}
    if result.outcome == Outcome.EXEMPT:
        if result.decided_by:
            others = [c for c in codes(tracker) if c != result.decided_by]
            values.update(country_name=country_name(result.decided_by, lang), other_names=names(others, lang))
            return (EXEMPT[result.rule_id] + ("_dual" if others else ""), values), result
        return (EXEMPT[result.rule_id], values), result
    if result.outcome == Outcome.APPLY_FOR_EXEMPTION:
        return ("utter_fee_result_apply_for_exemption", values), result
    if result.outcome != Outcome.AMOUNT:
        return ("utter_fee_result_uncovered", {}), result
    values.update(amount=format_nok(result.amount, lang))
    if result.period == "credits":
        return ("utter_fee_result_credits", {**values, "credits": number(result.credits, lang)}), result
    values["share"] = number(result.share_percent, lang)
    return (AMOUNT.get(result.rule_id, "utter_fee_result_year"), values), result


def rule_and_amount(result) -> Tuple[str, Optional[float]]:
    if result.outcome in OPEN:
        return "open", None
    amount = None if result.amount is None else float(result.amount)
    return result.rule_id, amount


def fee_answer(tracker: Tracker) -> Answer:
    lang = language(tracker)
    stuck = tracker.get_slot("stuck_on")
    if stuck:
        note = {"special_kind": "special_situation", "study_mode": "percentage"}.get(stuck, stuck)
        return ([(f"utter_fee_depends_{note}", programme_values(lang)),
                 ("utter_fee_stuck", programme_values(lang))], "handover", None)
    message, result = fee_result(tracker, lang)
    messages = [message]
    if result.outcome == Outcome.AMOUNT:  # the other cases of what the person did not know
        said = unknown(tracker)
        messages += [(f"utter_fee_depends_{q}", programme_values(lang)) for q in FEE_QUESTIONS if q in said]
    return (messages, *rule_and_amount(result))


def refund_answer(tracker: Tracker) -> Answer:
    lang, paid = language(tracker), tracker.get_slot("amount_paid")
    kept = format_nok(fact("refunds.withdrawal.after_august_1")["kept"], lang)
    stuck, said = tracker.get_slot("stuck_on"), unknown(tracker)
    reason = tracker.get_slot("refund_reason")
    if stuck:
        return ([(f"utter_refund_depends_{stuck}", {"kept": kept}),
                 ("utter_refund_stuck", {"contact": contact()})], "handover", None)
    if reason is None and "refund_reason" in said:
        return [("utter_refund_depends_refund_reason", {"kept": kept})], "refunds", None
    day: Optional[str] = tracker.get_slot("withdrawal_date")
    if reason == "withdrawal" and day is None and "withdrawal_date" in said:
        return [("utter_refund_depends_withdrawal_date", {"kept": kept})], "refunds.withdrawal", None
    withdrawal = date.fromisoformat(day) if day else None
    result = refund_for(reason, withdrawal, paid)
    name = REFUND.get(result.rule_id)
    if name is None or result.outcome in (Outcome.UNCOVERED, Outcome.NEEDS_INFO):
        return [("utter_refund_result_uncovered", {})], "open", None
    values = {"kept": kept, "date": format_date(withdrawal, "d. MMMM y" if lang == "nb" else "d MMMM y", locale=lang)
              if withdrawal else ""}
    if result.amount is not None and result.outcome in (Outcome.FULL_REFUND, Outcome.PARTIAL_REFUND):
        values.update(amount=format_nok(result.amount, lang), paid=format_nok(paid, lang))
        name += "_amount"
    return [(name, values)], *rule_and_amount(result)


class _AnswerAction(Action, ABC):
    """Say the answer; on any error say `utter_action_failed` (never silence, never a guess)."""

    answer = staticmethod(fee_answer)

    @abstractmethod  # abstract: the action server registers only the concrete actions
    def name(self) -> Text:
        """The action's name in the domain."""

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        try:
            messages, rule, amount = self.answer(tracker)
        except Exception:  # noqa: BLE001 - any engine error must end in a polite message
            logger.exception("%s failed", self.name())
            messages, rule, amount = [("utter_action_failed", {})], "failed", None
        for name, values in messages:
            dispatcher.utter_message(response=name, **values)
        events = [SlotSet("answer_rule", rule), SlotSet("answer_amount", amount)]
        events += [SlotSet(slot, None) for slot in BOOKKEEPING]
        if rule == "handover":  # "start over" begins afresh; nothing half-known is kept
            events += [SlotSet(slot, None) for slot in FORM_SLOTS]
        return events


class ActionFeeAnswer(_AnswerAction):
    def name(self) -> Text:
        return "action_fee_answer"


class ActionRefundAnswer(_AnswerAction):
    answer = staticmethod(refund_answer)

    def name(self) -> Text:
        return "action_refund_answer"
