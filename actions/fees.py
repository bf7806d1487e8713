"""Personal fee answers: what this person pays, and what they get back after a withdrawal.

Thin callers of `fees` (the rules) that pick a response of domain/fees_personal.yml and fill
in the engine's figures. Any failure says `utter_action_failed`, never a guessed amount.
The clock is injectable: FEES_TODAY=YYYY-MM-DD (tests) or patch `today`.
"""
from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from datetime import date
from decimal import Decimal
from typing import Any, Dict, List, Optional, Text, Tuple

from babel.dates import format_date
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from fees import Outcome, Situation, annual_fee, fee_for, format_nok, refund_for
from fees.countries import country_name
from fees.facts import fact

logger = logging.getLogger(__name__)
PROGRAMME = "industrial_ecology"  # this assistant's programme (category in fees.yml `programmes`)
Answer = Tuple[str, Dict[str, Any]]
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


def today() -> date:
    value = os.environ.get("FEES_TODAY")
    return date.fromisoformat(value) if value else date.today()


def language(tracker: Tracker) -> str:
    return "nb" if tracker.get_slot("language") == "nb" else "en"


def number(value: Any, lang: str) -> str:
    """15 / 7.5 in English, 15 / 7,5 in Norwegian."""
    value = Decimal(str(value)).normalize()
    text = f"{value:f}"
    return text.replace(".", ",") if lang == "nb" else text


def situation(tracker: Tracker) -> Situation:
    country = tracker.get_slot("country")
    return Situation(citizenships=(country,) if country else (), level=tracker.get_slot("level"),
                     started_before_fees=tracker.get_slot("start_term") == "before_autumn_2023",
                     **SITUATIONS.get(tracker.get_slot("special_situation"), {}))


def fee_answer(tracker: Tracker) -> Answer:
    lang, credits = language(tracker), tracker.get_slot("credits")
    result = fee_for(situation(tracker), programme=PROGRAMME, credits=credits,
                     share_percent=None if credits is not None else tracker.get_slot("percentage"))
    country = tracker.get_slot("country")
    values = {"country_name": country_name(country, lang) if country else ""}
    if result.outcome == Outcome.EXEMPT:
        return EXEMPT[result.rule_id], values
    if result.outcome == Outcome.APPLY_FOR_EXEMPTION:
        return "utter_fee_result_apply_for_exemption", values
    if result.outcome != Outcome.AMOUNT:
        return "utter_fee_result_uncovered", {}
    full = annual_fee(result.level, programme=PROGRAMME)
    values.update(amount=format_nok(result.amount, lang), full_amount=format_nok(full.amount, lang),
                  programme=fact(f"programmes.{PROGRAMME}")[lang], category=result.category,
                  category_name=fact(f"categories.{result.category}")[lang])
    if result.period == "credits":
        values.update(credits=number(result.credits, lang),
                      credits_per_year=fact("conventions.credits_per_year")["value"])
        return "utter_fee_result_credits", values
    values["share"] = number(result.share_percent, lang)
    return AMOUNT.get(result.rule_id, "utter_fee_result_year"), values


def refund_answer(tracker: Tracker) -> Answer:
    lang, paid = language(tracker), tracker.get_slot("amount_paid")
    day: Optional[str] = tracker.get_slot("withdrawal_date")
    withdrawal = date.fromisoformat(day) if day else None
    result = refund_for(tracker.get_slot("refund_reason"), withdrawal, paid)
    name = REFUND.get(result.rule_id)
    if name is None or result.outcome in (Outcome.UNCOVERED, Outcome.NEEDS_INFO):
        return "utter_refund_result_uncovered", {}
    kept = fact("refunds.withdrawal.after_august_1")["kept"]
    values = {"kept": format_nok(kept, lang),
              "date": format_date(withdrawal, "d. MMMM y" if lang == "nb" else "d MMMM y", locale=lang)
              if withdrawal else ""}
    if result.amount is not None and result.outcome in (Outcome.FULL_REFUND, Outcome.PARTIAL_REFUND):
        values.update(amount=format_nok(result.amount, lang), paid=format_nok(paid, lang))
        name += "_amount"
    return name, values


class _AnswerAction(Action, ABC):
    """Say the answer; on any error say `utter_action_failed` (never silence, never a guess)."""

    answer = staticmethod(fee_answer)

    @abstractmethod  # abstract: the action server registers only the concrete actions
    def name(self) -> Text:
        """The action's name in the domain."""

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List:
        try:
            name, values = self.answer(tracker)
        except Exception:  # noqa: BLE001 - any engine error must end in a polite message
            logger.exception("%s failed", self.name())
            name, values = "utter_action_failed", {}
        dispatcher.utter_message(response=name, **values)
        return []


class ActionFeeAnswer(_AnswerAction):
    def name(self) -> Text:
        return "action_fee_answer"


class ActionRefundAnswer(_AnswerAction):
    answer = staticmethod(refund_answer)

    def name(self) -> Text:
        return "action_refund_answer"
