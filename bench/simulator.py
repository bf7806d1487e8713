"""Simulated students: each one talks to a running assistant until the fee form is done.

A *person* (tests/simulator/people.yml, written apart from the bot so its builders never
tune on it) has an opening message, one list of replies per question kind and the answer
the fee page gives for their case. The runner sends the opening over REST, then after
every bot turn reads the tracker over the HTTP API (`requested_slot`, the active loop),
maps the requested slot to a question kind (`QUESTION_KINDS`), sends the person's next
reply for that kind, and stops when no loop is active or after `MAX_TURNS` messages. The
answer actions set the slots `answer_rule` (the fee engine's rule id) and `answer_amount`
(NOK); `RULE_OUTCOMES` turns the rule into the person's `expect.outcome`.

Used by `make bench` (all people) and tests/test_simulated_users.py (the `subset` people).
Results name people by id and question kinds only, never their texts.
"""
from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.error import HTTPError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

import yaml

ROOT = Path(__file__).resolve().parents[1]
PEOPLE = ROOT / "tests" / "simulator" / "people.yml"
MAX_TURNS = 15  # messages from the person, the opening included
TIMEOUT = 60  # seconds per HTTP request: a busy 2-core machine answers in well under that

# requested_slot -> question kind (the keys of a person's `replies`).
QUESTION_KINDS = {
    "country": "citizenship",
    "level": "level",
    "start_term": "start",
    "percentage": "share",
    "credits": "share",
    "special_situation": "special_situation",
    "special_kind": "special_situation",  # the follow-up "which programme / scholarship?"
    "study_mode": "study_load",  # "will you study full time?"
    "refund_reason": "refund_reason",
    "withdrawal_date": "withdrawal_date",
    "amount_paid": "amount_paid",
}
STUDY_LOAD_WORDS = ("full_time", "study_load")  # any slot named like this asks "full time?"
UNKNOWN_REPLY = {"en": "I don't know", "nb": "Jeg vet ikke"}

EXPECTED_OUTCOMES = ("pays", "exempt", "apply_for_exemption", "not_covered", "refund_full", "refund_partial",
                     "refund_none", "refund_udi", "open")
# Outcomes that send the person to someone at NTNU: the page does not settle the case.
TO_A_PERSON = {"open", "not_covered"}
# Actions and responses that hand the conversation over to a person.
HANDOVER_ACTIONS = {"action_handover", "utter_handover_fees", "utter_handover_programme"}


def _rule_outcomes() -> Dict[str, str]:
    """Rule id (fees/data/fees.yml, as actions/fees.py reports it) -> expected outcome."""
    from fees.facts import load

    data = load()
    table = {f"categories.{c}": "pays" for c in data["categories"]}  # full time: the price list entry
    table.update({f"automatic_exemptions.{k}": "exempt" for k, v in data["automatic_exemptions"].items()
                  if isinstance(v, dict)})
    table.update({
        "amounts.full_time": "pays", "amounts.part_time": "pays", "amounts.above_full_load": "pays",
        "amounts.single_courses": "pays", "introduction.who_pays": "pays",
        "phd": "exempt",
        "apply_for_exemption": "apply_for_exemption",
        # the engine's UNCOVERED results: no amount, ask opptak@ntnu.no
        "amounts.faculties": "not_covered", "countries.eu_eea_switzerland": "not_covered",
        "countries.territories_uncovered": "not_covered", "contact": "not_covered",
        "refunds.udi_refusal": "refund_udi",
        "refunds.withdrawal.before_august_1": "refund_full",
        "refunds.withdrawal.after_august_1": "refund_partial",
        "refunds.withdrawal.after_september_15": "refund_none",
        "refunds.withdrawal.on_august_1": "open",  # the page says "before" and "after", not "on"
        # What actions/fees.py reports besides the engine's ids: "open" (the page does not
        # settle it), "refunds" / "refunds.withdrawal" (reason / date unknown: it explains
        # what the refund depends on), "handover" (the dialogue gave up on a question).
        "open": "open", "refunds": "open", "refunds.withdrawal": "open",
        "handover": "handed_over",
        "failed": "failed",  # the answer action failed: never a success
    })
    return table


RULE_OUTCOMES = _rule_outcomes()


def question_kind(slot: Optional[str]) -> str:
    """The kind of question the bot asks when it requests `slot` ("other" when unknown)."""
    if slot in QUESTION_KINDS:
        return QUESTION_KINDS[slot]
    if slot and any(word in slot for word in STUDY_LOAD_WORDS):
        return "study_load"
    return "other"


def outcome_of_rule(rule: Optional[str], amount: Optional[float]) -> Optional[str]:
    """The outcome the bot gave: None without an answer, `unknown:<rule>` for an unmapped rule.

    A fee rule without an amount is `not_covered`: the engine's part-time and single-course
    rules also end UNCOVERED (0 %, no category), and then no amount is stated."""
    if not rule:
        return None
    outcome = RULE_OUTCOMES.get(rule, f"unknown:{rule}")
    if outcome == "pays" and amount is None:
        return "not_covered"
    return outcome


# ------------------------------------------------------------------------------ people

@dataclass
class Person:
    id: str
    lang: str
    opening: str
    replies: Dict[str, List[str]]
    expect: Dict[str, Any]
    subset: bool = False
    _used: Counter = field(default_factory=Counter, repr=False)

    def reply(self, kind: str) -> str:
        """The next reply for `kind`, in order; the last one repeats."""
        options = self.replies.get(kind) or self.replies.get("other") or [UNKNOWN_REPLY.get(self.lang, UNKNOWN_REPLY["en"])]
        text = options[min(self._used[kind], len(options) - 1)]
        self._used[kind] += 1
        return str(text)


def load_people(path: Path = PEOPLE, subset_only: bool = False) -> List[Person]:
    """The people of `path`; a malformed entry is an error naming its id (or position)."""
    entries = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of people")
    people = []
    for i, entry in enumerate(entries):
        name = entry.get("id", f"#{i}") if isinstance(entry, dict) else f"#{i}"
        if not isinstance(entry, dict) or not entry.get("opening") or not isinstance(entry.get("expect"), dict):
            raise ValueError(f"{path}: person {name} needs `opening` and `expect`")
        if entry["expect"].get("outcome") not in EXPECTED_OUTCOMES:
            raise ValueError(f"{path}: person {name}: expect.outcome must be one of {', '.join(EXPECTED_OUTCOMES)}")
        replies = {str(k): [str(r) for r in (v if isinstance(v, list) else [v])] for k, v in (entry.get("replies") or {}).items()
                   if v not in (None, [])}
        people.append(Person(str(name), str(entry.get("lang") or "en"), str(entry["opening"]), replies,
                             entry["expect"], bool(entry.get("subset"))))
    return [p for p in people if p.subset] if subset_only else people


# ------------------------------------------------------------------------ the assistant

class Assistant:
    """A running assistant: the REST channel and the tracker over the HTTP API.

    The HTTP API may require a token (Rasa's --auth-token, or a proxy in front of it): it is
    sent both ways, as `?token=` (what Rasa checks) and as `Authorization: Bearer`."""

    def __init__(self, url: str, token: Optional[str] = None) -> None:
        self.url = url.rstrip("/")
        self.token = token if token is not None else (os.environ.get("RASA_API_TOKEN") or None)

    @classmethod
    def of_stack(cls, stack) -> "Assistant":
        return cls(stack.rasa_url, getattr(stack, "api_token", None))

    def _request(self, request: Request) -> Any:
        with urlopen(request, timeout=TIMEOUT) as response:
            return json.loads(response.read() or b"null")

    def say(self, sender: str, text: str) -> List[Dict]:
        body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
        return self._request(Request(f"{self.url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})) or []

    def tracker(self, sender: str) -> Dict:
        query = {"include_events": "AFTER_RESTART"}
        headers = {"Accept": "application/json"}
        if self.token:
            query["token"] = self.token
            headers["Authorization"] = f"Bearer {self.token}"
        url = f"{self.url}/conversations/{quote(sender, safe='')}/tracker?{urlencode(query)}"
        try:
            return self._request(Request(url, headers=headers)) or {}
        except HTTPError as error:
            if error.code in (401, 403):  # say which setting is missing, never the token
                raise PermissionError(f"the tracker API refused the request (HTTP {error.code}): "
                                      "set RASA_API_TOKEN or pass the stack's api_token") from None
            raise


# ------------------------------------------------------------------------- one dialogue

@dataclass
class Dialogue:
    id: str
    lang: str
    expected: str
    success: bool
    reason: str  # why it failed ("" when it succeeded)
    turns: int  # messages the person sent
    asked: List[str]  # question kinds, in order
    max_repeats: int  # the most times one question (requested slot) was asked
    rule: Optional[str]
    amount: Optional[float]
    outcome: Optional[str]
    handed_over: bool
    answered_by: List[str] = field(default_factory=list)  # the bot's actions after the last question

    def public(self) -> Dict:
        """What a report or an assertion may show: no text of the person's."""
        return {"id": self.id, "lang": self.lang, "expected": self.expected, "got": self.outcome, "rule": self.rule,
                "amount": self.amount, "asked": self.asked, "turns": self.turns, "max_repeats": self.max_repeats,
                "handed_over": self.handed_over, "reason": self.reason, "answered_by": self.answered_by}



def handed_over(events: Iterable[Dict]) -> bool:
    """Did the bot hand over to a person (action_handover or a hand-over response)?"""
    for event in events:
        if event.get("event") == "action" and event.get("name") in HANDOVER_ACTIONS:
            return True
        if event.get("event") == "bot" and str((event.get("metadata") or {}).get("utter_action", "")).startswith("utter_handover"):
            return True
    return False


QUIET_ACTIONS = {"action_listen", "action_session_start", "action_extract_slots"}


def last_actions(events: List[Dict]) -> List[str]:
    """The bot's actions after the person's last message (names only; `utter_faq/<key>` for an FAQ)."""
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    names = []
    for event in events[last_user + 1:]:
        if event.get("event") == "action" and event.get("name") not in QUIET_ACTIONS:
            names.append(event["name"])
        elif event.get("event") == "bot" and names and names[-1] == "utter_faq":
            key = (event.get("metadata") or {}).get("utter_action")  # e.g. utter_faq/fee_amount
            names[-1] = key or names[-1]
    return names


def _float(value: Any) -> Optional[float]:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def judge(expect: Dict[str, Any], rule: Optional[str], amount: Optional[float], was_handed_over: bool,
          finished: bool) -> Tuple[bool, str, Optional[str]]:
    """(success, reason for failure, the bot's outcome) for one finished dialogue."""
    expected, got = expect.get("outcome"), outcome_of_rule(rule, amount)
    was_handed_over = was_handed_over or got == "handed_over"
    if expected in TO_A_PERSON:
        # The page does not settle it: pointing to a person is the right answer.
        if got in TO_A_PERSON or (got in (None, "handed_over") and was_handed_over):
            return True, "", got
        return False, f"expected a person to decide ({expected}), got {got or 'no answer'}", got
    if was_handed_over:
        return False, "handed over a case the page settles", got
    if got is None:
        return False, "no answer" + ("" if finished else f" after {MAX_TURNS} turns"), got
    if got != expected:
        return False, f"expected {expected}, got {got}", got
    stated = 0.0 if amount is None and got == "exempt" else amount  # an exemption states no amount: 0 kr
    if expect.get("amount") is not None and (stated is None or abs(stated - float(expect["amount"])) >= 1):
        return False, f"expected amount {expect['amount']}, got {amount}", got
    reason = expect.get("reason")
    if reason and rule not in (reason, f"automatic_exemptions.{reason}") and rule.rsplit(".", 1)[-1] != reason:
        return False, f"expected reason {reason}, got rule {rule}", got
    return True, "", got


def run_person(assistant: Assistant, person: Person, max_turns: int = MAX_TURNS,
               sender: Optional[str] = None) -> Dialogue:
    """Play one person's conversation to the end and judge it."""
    sender = sender or f"sim-{person.id}-{uuid.uuid4().hex[:8]}"
    assistant.say(sender, person.opening)
    turns, asked, slots_asked = 1, [], []
    while True:
        tracker = assistant.tracker(sender)
        loop = (tracker.get("active_loop") or {}).get("name")
        if not loop or turns >= max_turns:
            break
        requested = (tracker.get("slots") or {}).get("requested_slot")
        kind = question_kind(requested)
        asked.append(kind)
        slots_asked.append(requested or "?")
        assistant.say(sender, person.reply(kind))
        turns += 1
    slots = tracker.get("slots") or {}
    rule, amount = slots.get("answer_rule"), _float(slots.get("answer_amount"))
    events = tracker.get("events") or []
    over = handed_over(events)
    success, reason, got = judge(person.expect, rule, amount, over, finished=not loop)
    answered_by = last_actions(events)
    faq = next((a[len("utter_"):] for a in answered_by if a.startswith("utter_faq/")), None)
    if not success and got is None and not over and faq:
        reason = f"a general answer ({faq}), not the person's own"
    return Dialogue(person.id, person.lang, str(person.expect.get("outcome")), success, reason, turns, asked,
                    max(Counter(slots_asked).values(), default=0), rule, amount, got, over, answered_by)


def run_people(assistant: Assistant, people: List[Person], progress: Callable[[str], None] = lambda _: None) -> List[Dialogue]:
    dialogues = []
    for i, person in enumerate(people):
        try:
            dialogues.append(run_person(assistant, person))
        except PermissionError:
            raise  # no token: every person would fail the same way
        except (OSError, ValueError) as error:  # a timeout or a bad reply fails this person, not the run
            dialogues.append(Dialogue(person.id, person.lang, str(person.expect.get("outcome")), False,
                                      f"request failed: {type(error).__name__}", 0, [], 0, None, None, None, False))
        if (i + 1) % 10 == 0:
            progress(f"  simulated users: {i + 1}/{len(people)}")
    return dialogues


def ending(d: Dialogue) -> str:
    """How a dialogue ended: the personal answer, a hand-over, a general FAQ answer, or nothing."""
    if d.handed_over or d.outcome == "handed_over":
        return "handover"
    if d.rule:
        return "personal_answer"
    return "faq_answer" if any(a.startswith("utter_faq/") for a in d.answered_by) else "no_answer"


def _figures(dialogues: List[Dialogue]) -> Dict:
    if not dialogues:
        return {"success": None, "turns_mean": None, "max_repeats": None, "people": 0, "passed": 0}
    passed = sum(d.success for d in dialogues)
    return {"success": round(passed / len(dialogues), 4), "turns_mean": round(mean(d.turns for d in dialogues), 2),
            "max_repeats": max(d.max_repeats for d in dialogues), "people": len(dialogues), "passed": passed}


def summarise_dialogues(dialogues: List[Dialogue]) -> Dict:
    """success (share), turns_mean, max_repeats, overall and per language, and the failures."""
    summary = _figures(dialogues)
    summary["endings"] = dict(Counter(ending(d) for d in dialogues))
    summary["by_language"] = {lang: _figures([d for d in dialogues if d.lang == lang]) for lang in ("en", "nb")}
    summary["failures"] = [d.public() for d in dialogues if not d.success]
    return summary
