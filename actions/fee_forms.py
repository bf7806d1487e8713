"""Form validation for the personal fee and refund dialogues: take what each message says, ask only what's missing.

Every slot is read from the latest message's entities (the rule-based extractor of `entities/`,
or button payloads), never from raw text, so the first message counts ("I'm Indian and start
the MSc in August 2026") and a correction overrides ("actually I'm German", "nei, jeg mente deltid").
`questions` lists what the fee rules still need, in order: an EU/EEA/Swiss citizen is done after
citizenship, a PhD after level.

Talking like people:
- a yes/no question takes yes and no: "no" to "Will you study full time?" asks the share next,
  "no" to "Does any of these apply?" means none, "yes" asks which one;
- "I don't know" / "vet ikke" marks the question as unknown: it is not asked again, and the
  answer says what depends on it (actions/fees.py);
- the same question is never asked a third time in a row: after two replies that do not fill
  it (an unusable answer, or a FAQ / chit-chat answered in between), the form ends with
  `stuck_on` set and the answer action offers the contact and a way out;
- "stop" and a FAQ in between are left to the rules (the form rejects, the rule answers).
"""
from __future__ import annotations

from abc import abstractmethod
from datetime import date, timedelta
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction

from entities.answers import bare_amount
from fees.countries import first_eu_eea_swiss, normalise_code
from fees.refunds import refund_for
from fees.results import Outcome
from fees.liability import began_before_fees

# Intents that answer a question. Others (a FAQ, the other dialogue, "stop") make the form
# reject, so the rules answer them and the form goes on where it was. An answer the model
# cannot place (nlu_fallback, out_of_scope) counts as an answer the question could not use.
ANSWERS = {"inform", "correct", "nlu_fallback", "out_of_scope", "affirm", "deny", "dont_know"}
UNKNOWN, UNUSABLE_SLOT, UNUSABLE_COUNT, STUCK = "unknown_slots", "unusable_slot", "unusable_count", "stuck_on"
INTENT_REPLIES = {"affirm": "yes", "deny": "no", "dont_know": "dont_know"}
MAX_UNUSABLE = 2  # answers that do not answer a question before the form stops asking it
CONTENT = {"country", "level", "start", "start_term", "special_situation", "study_mode", "percentage",
           "credits", "number", "refund_reason", "date", "amount_paid"}


def found_entities(tracker: Tracker) -> List[Dict[str, Any]]:
    return [e for e in tracker.latest_message.get("entities") or [] if e.get("entity")]


def first(entities: List[Dict[str, Any]], name: str, role: Optional[str] = None) -> Any:
    return next((e.get("value") for e in entities if e["entity"] == name and e.get("role") == role), None)


def intent_of(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def citizenships(tracker: Tracker, entities: List[Dict[str, Any]]) -> Optional[List[str]]:
    """All citizenships named: a new list, or added to the known ones ("also", "dual"); None if none named."""
    # "bor i Tyskland", "I used to be French": a country, but not a citizenship the person has
    named = [normalise_code(e["value"]) for e in entities if e["entity"] == "country" and not e.get("role")]
    taken_back = {normalise_code(e["value"]) for e in entities if e["entity"] == "country" and e.get("role") == "negated"}
    known = list(tracker.get_slot("country") or [])
    if not [c for c in named if c] and not taken_back & set(known):
        return None
    keep = known if first(entities, "also") or not [c for c in named if c] else []
    codes = [c for c in dict.fromkeys(keep + named) if c and c not in taken_back]
    return codes or None


def start_term(entities: List[Dict[str, Any]], asked: bool) -> Optional[str]:
    """The `start` entity ("2026-autumn", "ahead") -> whether the programme began before the fee."""
    value = first(entities, "start_term") or first(entities, "start") or (asked and first(entities, "start", "implied"))
    if value in ("before_autumn_2023", "from_autumn_2023") or not value:
        return value or None
    if value == "ahead":
        return "from_autumn_2023"  # a start still to come is after autumn 2023, when the fee began
    year, season = value.split("-")
    return "before_autumn_2023" if began_before_fees(int(year), season) else "from_autumn_2023"


def study_share(entities: List[Dict[str, Any]], requested: Optional[str], reply: Optional[str]) -> Dict[str, Any]:
    """credits / percentage / study_mode from "40 %", "two 7.5-credit courses", "deltid", "no" to full time."""
    credits = first(entities, "credits")
    shares = [e["value"] for e in entities if e["entity"] == "percentage"]
    # "full time ... no, 60 %": a share below full time said beside "full time" is the one meant
    share = next((v for v in shares if float(v) != 100), shares[0] if shares else None)
    if share is None and (requested == "percentage" or (requested == "study_mode" and reply != "yes")):
        share = first(entities, "number")  # "60" / "no, only 60" answering the share question
        share = share if share is not None and 0 < float(share) <= 100 else None
    if share is not None and float(share) > 0:
        # a share said in percent wins over credits said beside it ("80 %, 24 of 30 credits")
        mode = "full_time" if float(share) == 100 else "part_time"
        return {"percentage": float(share), "credits": None, "study_mode": mode}
    if credits is not None and float(credits) > 0:
        return {"credits": float(credits), "percentage": None, "study_mode": "part_time"}
    if first(entities, "study_mode") == "part_time" or (requested == "study_mode" and reply == "no"):
        return {"study_mode": "part_time", "percentage": None, "credits": None}
    if requested == "study_mode" and reply == "yes":
        return {"study_mode": "full_time", "percentage": 100.0, "credits": None}
    return {}


def action_before_form(tracker: Tracker) -> Optional[str]:
    """The action before this form run: "action_listen" right after the person spoke, or the
    rules' answer (utter_faq, ...) when the form comes back after a reply it rejected.
    Rasa appends the form's own ActionExecuted before calling the validation action, so that
    one is skipped."""
    actions = [e.get("name") for e in tracker.events if e.get("event") == "action"]
    if actions and (actions[-1] or "").endswith("_form"):
        actions = actions[:-1]
    return actions[-1] if actions else None


def withdrawal_day(entities: List[Dict[str, Any]]) -> Optional[str]:
    """The first date said; "før 1. august" is a day before it, "after 1 August" a day after."""
    said = next((e for e in entities if e["entity"] == "date"), None)
    if said is None:
        return None
    shift = {"before": -1, "after": 1}.get(said.get("role"), 0)
    return (date.fromisoformat(said["value"]) + timedelta(days=shift)).isoformat()


class _PersonalForm(FormValidationAction):
    """Extracts every slot from the latest message; asks the first of `questions` still missing."""

    trigger = ""  # this form's own question intent: also an answer (the other form's is not)

    @abstractmethod  # abstract: the action server registers only the concrete forms
    def questions(self, tracker: Tracker) -> List[Text]:
        """The questions (slot names) to ask, in order, given what is known."""

    @abstractmethod
    def extract(self, tracker: Tracker, entities: List[Dict[str, Any]], requested: Optional[str],
                reply: Optional[str]) -> Dict[Text, Any]:
        """Slot values found in the latest message (yes/no already taken as `reply`)."""

    def missing(self, tracker: Tracker, question: str) -> bool:
        return tracker.get_slot(question) is None and question not in (tracker.get_slot(UNKNOWN) or [])

    def answered(self, question: str, found: Dict[Text, Any]) -> bool:
        return found.get(question) is not None

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        return list(domain_slots)  # validate whatever the person said; ask only `questions`

    async def get_extraction_events(self, dispatcher, tracker, domain) -> List[Dict]:
        intent, requested, entities = intent_of(tracker), tracker.get_slot(REQUESTED_SLOT), found_entities(tracker)
        reply = first(entities, "reply") or INTENT_REPLIES.get(intent)  # buttons send /affirm, /deny
        if intent == "correct" and {e["entity"] for e in entities} & CONTENT:
            reply = None  # "no, I meant part time": the "no" takes back an earlier answer, not this question
        found = self.extract(tracker, entities, requested, reply)
        if intent == self.trigger:  # a new question: whatever was stuck before starts afresh
            found.update({STUCK: None, UNUSABLE_SLOT: None, UNUSABLE_COUNT: 0.0})
        if reply == "dont_know" and requested:
            found[UNKNOWN] = list(dict.fromkeys((tracker.get_slot(UNKNOWN) or []) + [self.unknown_name(requested)]))
        # A reply that answers the question is an answer whatever the model took it for
        # ("master i industriell økologi" read as the programme FAQ while the level is asked).
        fills = bool(requested) and self.answered(requested, found)
        if intent not in ANSWERS | {self.trigger} and not fills:
            if requested and action_before_form(tracker) not in (None, "action_listen"):
                # Back after a FAQ, chit-chat or a clarification answered in between: that turn
                # did not fill the question either, so it counts towards never a third ask.
                return [SlotSet(k, v) for k, v in self.unusable(dispatcher, tracker, requested, silent=True).items()]
            return []  # not an answer: let the rules handle it (the form is asked again afterwards)
        if requested and not self.answered(requested, found) and UNKNOWN not in found:
            found.update(self.unusable(dispatcher, tracker, requested, silent=bool(found)))
        elif requested:
            found.update({UNUSABLE_SLOT: None, UNUSABLE_COUNT: 0.0})
        return [SlotSet(name, value) for name, value in found.items()]

    @staticmethod
    def unknown_name(requested: str) -> str:
        return {"special_kind": "special_situation", "study_mode": "percentage"}.get(requested, requested)

    @staticmethod
    def unusable(dispatcher, tracker: Tracker, requested: str, silent: bool) -> Dict[Text, Any]:
        """One more answer the question could not use; at the second, stop asking it."""
        count = (tracker.get_slot(UNUSABLE_COUNT) or 0) if tracker.get_slot(UNUSABLE_SLOT) == requested else 0
        count += 1
        if count >= MAX_UNUSABLE:
            return {STUCK: requested, UNUSABLE_SLOT: requested, UNUSABLE_COUNT: float(count)}
        if not silent:
            dispatcher.utter_message(response="utter_fee_not_understood")
        return {UNUSABLE_SLOT: requested, UNUSABLE_COUNT: float(count)}

    async def get_validation_events(self, dispatcher, tracker, domain) -> List[Dict]:
        return [SlotSet(name, value) for name, value in tracker.slots_to_validate().items()]

    async def next_requested_slot(self, dispatcher, tracker, domain) -> Optional[Dict]:
        if tracker.get_slot(STUCK):
            return SlotSet(REQUESTED_SLOT, None)  # never a third time: the answer action offers help
        missing = [q for q in self.questions(tracker) if self.missing(tracker, q)]
        return SlotSet(REQUESTED_SLOT, missing[0] if missing else None)


class ValidateFeeForm(_PersonalForm):
    trigger = "ask_personal_fee"

    def name(self) -> Text:
        return "validate_fee_form"

    def questions(self, tracker: Tracker) -> List[Text]:
        slot, unknown = tracker.get_slot, tracker.get_slot(UNKNOWN) or []
        if slot("level") == "phd" or first_eu_eea_swiss(slot("country") or []):
            return []
        asked = ["country", "level"]
        level = slot("level") or ("master" if "level" in unknown else None)
        if level != "master" or slot("start_term") == "before_autumn_2023":
            return asked  # bachelor: not covered for this programme; before 2023: exempt
        asked.append("start_term")
        special = slot("special_situation")
        if special == "yes":
            return asked + ["special_situation", "special_kind"]
        if special not in (None, "none"):
            return asked + ["special_situation"]
        asked += ["special_situation", "study_mode"]
        return asked + ["percentage"] if slot("study_mode") == "part_time" else asked

    def missing(self, tracker: Tracker, question: str) -> bool:
        slot, unknown = tracker.get_slot, tracker.get_slot(UNKNOWN) or []
        if question == "special_kind":
            return slot("special_situation") == "yes" and "special_situation" not in unknown
        if question in ("study_mode", "percentage"):
            share_known = slot("percentage") is not None or slot("credits") is not None or "percentage" in unknown
            return not share_known and (question == "percentage" or slot("study_mode") is None)
        return super().missing(tracker, question)

    def answered(self, question: str, found: Dict[Text, Any]) -> bool:
        if question == "special_kind":
            return found.get("special_situation") not in (None, "yes")
        if question == "study_mode":
            return found.get("study_mode") is not None
        if question == "percentage":
            return found.get("percentage") is not None or found.get("credits") is not None
        return super().answered(question, found)

    def extract(self, tracker, entities, requested, reply) -> Dict[Text, Any]:
        found: Dict[Text, Any] = {}
        countries = citizenships(tracker, entities)
        if countries is not None or {e["entity"] for e in entities} & {"country"}:
            found["country"] = countries
        level = first(entities, "level")
        if level in ("bachelor", "master", "phd"):
            found["level"] = level
        term = start_term(entities, requested == "start_term")
        if term:
            found["start_term"] = term
        special = first(entities, "special_situation")
        if special is None and requested in ("special_situation", "special_kind") and reply in ("yes", "no"):
            special = "none" if reply == "no" else ("yes" if requested == "special_situation" else None)
        if special:
            found["special_situation"] = special
        found.update(study_share(entities, requested, reply))
        known = tracker.get_slot(UNKNOWN) or []
        if known and any(k in found for k in known):  # said after all: no longer unknown
            found[UNKNOWN] = [k for k in known if k not in found]
        return found


class ValidateRefundForm(_PersonalForm):
    trigger = "ask_personal_refund"

    def name(self) -> Text:
        return "validate_refund_form"

    def questions(self, tracker: Tracker) -> List[Text]:
        if tracker.get_slot("refund_reason") != "withdrawal":
            return ["refund_reason"]
        asked, day = ["refund_reason", "withdrawal_date"], tracker.get_slot("withdrawal_date")
        # Between 1 August and 15 September the refund is what was paid minus the fee kept:
        # the amount paid turns the rule into the person's figure.
        if day and refund_for("withdrawal", date.fromisoformat(day)).outcome == Outcome.PARTIAL_REFUND:
            asked.append("amount_paid")
        return asked

    def extract(self, tracker, entities, requested, reply) -> Dict[Text, Any]:
        found: Dict[Text, Any] = {}
        day = withdrawal_day(entities)
        reason = first(entities, "refund_reason")
        if not reason and day and tracker.get_slot("refund_reason") is None:
            reason = "withdrawal"  # a date on its own is when the person withdraws
        if reason:
            found["refund_reason"] = reason
        if day:
            found["withdrawal_date"] = day
        paid = first(entities, "amount_paid")
        if paid is None and requested == "amount_paid":
            paid = bare_amount(tracker.latest_message.get("text") or "")  # "254 950" answering "how much?"
        if paid is not None:
            found["amount_paid"] = float(paid)
        known = tracker.get_slot(UNKNOWN) or []
        if known and any(k in found for k in known):
            found[UNKNOWN] = [k for k in known if k not in found]
        return found
