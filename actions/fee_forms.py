"""Form validation for the personal fee dialogue: take what each message says, ask only what's missing.

Every slot is read from the latest message (the rule-based entities, button payloads, a few
words), so the first message counts ("I'm Indian and start the MSc in August 2026") and a
correction overrides ("actually I'm Swedish"). `questions` lists what the fee rules still
need, in order: an EU/EEA/Swiss citizen is done after citizenship, a PhD after level.
"""
from __future__ import annotations

import re
from abc import abstractmethod
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction

from actions.fees import today
from fees.countries import is_eu_eea_swiss, normalise_code
from fees.dates import find_dates
from fees.liability import began_before_fees

# Intents that answer a question: when nothing usable is in them, ask again instead of leaving.
ANSWERS = {"inform", "correct", "nlu_fallback", "affirm", "deny"}
NEGATION = re.compile(r"\b(?:not|no longer|ikke|ikkje)\W+(?:\w+\W+)?$", re.IGNORECASE)
YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
SPRING = re.compile(r"\b(spring|january|february|jan|feb|vår|våren|varen|januar|februar)\b", re.I)
BEFORE = re.compile(r"\b(before|prior to|earlier than|før)\b", re.I)
FUTURE = re.compile(r"\b(next|this|coming|upcoming|soon|not yet|neste|kommende|i høst|til høsten|snart|"
                    r"ikke begynt|ikke startet|ennå ikke|enda ikke)\b", re.I)
# "I will start the MSc in August": a start still ahead is after autumn 2023 (the fees began then).
STARTING = re.compile(r"\b(will start|starting|start(?:s)? (?:in|this|next)|going to start|begin(?:ning)?|"
                      r"begynner|skal begynne|starter|begynne)\b", re.I)
AUTUMN = re.compile(r"\b(august|september|autumn|fall|høst|høsten|host|hosten)\b", re.I)
SPECIAL = [  # (pattern, special_situation), first match wins
    (r"erasmus", "erasmus_mundus"),
    (r"nordic five|nordic 5|n5t|joint nordic|nordisk master", "nordic_five_tech"),
    (r"hk-?dir|norpart|\bstar\b|full[- ]degree scholarship|helgradsstipend", "hkdir_scholarship"),
    (r"exchange|utveksling", "partner_exchange"),
    (r"permanent|special connection|særlig tilhørighet|saerlig tilhorighet|tilhørighet|tilknytning", "permanent_residence"),
]
NONE_OF_THESE = re.compile(r"^\W*(no|nope|none|nothing|neither|not really|none of (these|them|those)|no special|"
                           r"nei|ingen|ingenting|ingen av (disse|dem)|nei,? ingen|nope none)\b", re.I)
UDI = re.compile(r"\b(udi|visa|study permit|residence permit|studietillatelse|oppholdstillatelse|"
                 r"avslag|avslått|avslatt|refused|rejected|denied)", re.I)
WITHDRAW = re.compile(r"(withdr[ae]w|withdrawing|withdrawal|trekk|trekke|trakk|trukket|quit|decline|"
                      r"takke nei|takket nei|drop(ped)? out|give up my (study )?place|avbryte|slutte)", re.I)
MONEY = re.compile(r"(?:(?:nok|kr\.?)\s*(?P<a>\d[\d \u00a0.,]*\d|\d)|(?P<b>\d[\d \u00a0.,]*\d|\d)\s*(?:nok|kr|kroner|,-)"
                   r"|(?:paid|betalt|betalte|payed)\s+(?P<c>\d[\d \u00a0.,]*\d|\d))", re.I)


def entity(tracker: Tracker, name: str) -> Any:
    return next(tracker.get_latest_entity_values(name), None)


def text_of(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def intent_of(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def country_from(tracker: Tracker) -> Optional[str]:
    """The first country named without a negation before it ("I'm Indian, not Swedish" -> IN)."""
    text = text_of(tracker)
    for found in tracker.latest_message.get("entities") or []:
        if found.get("entity") == "country" and not NEGATION.search(text[: found.get("start") or 0]):
            return normalise_code(found.get("value"))
    return None


def start_term_from(text: str, asked: bool) -> Optional[str]:
    """"August 2026" / "høsten 2026" -> from_autumn_2023; "2022" / "before autumn 2023" -> before."""
    year = YEAR.search(text)
    if year:
        value = int(year.group(1))
        if BEFORE.search(text[: year.start()]):
            value -= 0 if SPRING.search(text) else 1
        season = "spring" if SPRING.search(text) else "autumn"
        return "before_autumn_2023" if began_before_fees(value, season) else "from_autumn_2023"
    if asked and FUTURE.search(text):
        return "from_autumn_2023"
    if STARTING.search(text) and (AUTUMN.search(text) or FUTURE.search(text)):
        return "from_autumn_2023"
    return None


def special_from(text: str, intent: Optional[str], asked: bool) -> Optional[str]:
    for pattern, value in SPECIAL:
        if re.search(pattern, text, re.IGNORECASE):
            return value
    if asked and (intent == "deny" or NONE_OF_THESE.search(text)):
        return "none"
    return None


def amount_from(text: str) -> Optional[float]:
    """"NOK 254,950", "254 950 kr", "paid 100000" -> the number; None if no amount is named."""
    match = MONEY.search(text)
    if not match:
        return None
    raw = re.sub(r"[ \u00a0]", "", next(g for g in match.groups() if g)).rstrip(".,")
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", raw):
        raw = re.sub(r"[.,]", "", raw)
    try:
        return float(Decimal(raw.replace(",", ".")))
    except InvalidOperation:
        return None


class _PersonalForm(FormValidationAction):
    """Extracts every slot from the latest message; asks the first of `questions` still empty."""

    trigger = ""  # this form's own question intent: also an answer (the other form's is not)

    @abstractmethod  # abstract: the action server registers only the concrete forms
    def questions(self, tracker: Tracker) -> List[Text]:
        """The slots to ask for, in order, given what is known."""

    @abstractmethod
    def extract(self, tracker: Tracker, requested: Optional[str]) -> Dict[Text, Any]:
        """Slot values found in the latest message."""

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        return list(domain_slots)  # validate whatever the person said; ask only `questions`

    async def get_extraction_events(self, dispatcher, tracker, domain) -> List[Dict]:
        if intent_of(tracker) == "stop":
            return []  # let the stop rule cancel the form
        requested = tracker.get_slot(REQUESTED_SLOT)
        found = {k: v for k, v in self.extract(tracker, requested).items() if k in self.domain_slots(domain)}
        answering = intent_of(tracker) in ANSWERS | {self.trigger}
        if requested and answering and not any(v is not None for v in found.values()):
            dispatcher.utter_message(response="utter_fee_not_understood")
            found = {requested: None}  # "validated" as empty: the form asks again
        return [SlotSet(name, value) for name, value in found.items()]

    async def get_validation_events(self, dispatcher, tracker, domain) -> List[Dict]:
        slots = tracker.slots_to_validate()
        return [SlotSet(name, value) for name, value in slots.items() if name in self.domain_slots(domain)]

    async def next_requested_slot(self, dispatcher, tracker, domain) -> Optional[Dict]:
        missing = [slot for slot in self.questions(tracker) if tracker.get_slot(slot) is None]
        return SlotSet(REQUESTED_SLOT, missing[0] if missing else None)


class ValidateFeeForm(_PersonalForm):
    trigger = "ask_personal_fee"

    def name(self) -> Text:
        return "validate_fee_form"

    def questions(self, tracker: Tracker) -> List[Text]:
        slot = tracker.get_slot
        if slot("level") == "phd" or (slot("country") and is_eu_eea_swiss(slot("country"))):
            return []
        asked = ["country", "level"]
        if slot("level") != "master" or slot("start_term") == "before_autumn_2023":
            return asked  # bachelor: not covered for this programme; before 2023: exempt
        asked.append("start_term")
        if slot("special_situation") not in (None, "none"):
            return asked + ["special_situation"]
        return asked + ["special_situation", "credits" if slot("credits") is not None else "percentage"]

    def extract(self, tracker: Tracker, requested: Optional[str]) -> Dict[Text, Any]:
        text, found = text_of(tracker), {}
        country, level = country_from(tracker), entity(tracker, "level")
        if country:
            found["country"] = country
        if level in ("bachelor", "master", "phd"):
            found["level"] = level
        term = entity(tracker, "start_term") or start_term_from(text, requested == "start_term")
        if term:
            found["start_term"] = term
        special = entity(tracker, "special_situation") or special_from(
            text, intent_of(tracker), requested == "special_situation")
        if special:
            found["special_situation"] = special
        share, credits = entity(tracker, "percentage"), entity(tracker, "credits")
        if share is None and requested == "percentage" and re.fullmatch(r"\s*\d{1,3}([.,]\d+)?\s*", text):
            share = float(text.strip().replace(",", "."))
        if credits is not None and float(credits) > 0:
            found.update(credits=float(credits), percentage=None)
        elif share is not None and float(share) > 0:
            found.update(percentage=float(share), credits=None)
        return found


class ValidateRefundForm(_PersonalForm):
    trigger = "ask_personal_refund"

    def name(self) -> Text:
        return "validate_refund_form"

    def questions(self, tracker: Tracker) -> List[Text]:
        if tracker.get_slot("refund_reason") == "withdrawal":
            return ["refund_reason", "withdrawal_date"]
        return ["refund_reason"]

    def extract(self, tracker: Tracker, requested: Optional[str]) -> Dict[Text, Any]:
        text, found = text_of(tracker), {}
        language = tracker.get_slot("language")
        dates = find_dates(MONEY.sub(" ", text), today(), language if language in ("en", "nb") else None)
        reason = entity(tracker, "refund_reason")
        if not reason:
            said_date = bool(dates) and tracker.get_slot("refund_reason") is None  # a date means a withdrawal
            reason = "udi_refusal" if UDI.search(text) else "withdrawal" if WITHDRAW.search(text) or said_date else None
        if reason:
            found["refund_reason"] = reason
        if dates:
            found["withdrawal_date"] = dates[0].value.isoformat()
        paid = amount_from(text)
        if paid is not None:
            found["amount_paid"] = paid
        return found
