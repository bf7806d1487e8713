"""Answers to the fee and refund dialogues' questions, as entities (word lists: vocabulary.yml).

- reply:             "yes", "no" (at the start of a message) or "dont_know" (anywhere)
- study_mode:        "part_time" ("deltid", "not full time"): the next question is the share
- start:             when the programme starts: "2026-autumn", "2022-spring", or "ahead" (a start
                     still to come); role "implied" when only a time word says so ("next year")
- special_situation: erasmus_mundus, nordic_five_tech, hkdir_scholarship, partner_exchange,
                     permanent_residence
- refund_reason:     udi_refusal or withdrawal
- amount_paid:       NOK the person paid ("254 950 kr", "NOK 254,950", "paid 100000")
- also:              the person adds a citizenship ("I also have a German passport")
- number:            a message that is only a number ("50", "7,5"), e.g. the share asked for

Every pattern is an alternation of literal phrases or a bounded digit group, with no nested
quantifiers, and reads at most `max_chars` characters: linear in the length of the input.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Pattern, Tuple

from entities.words import words

Candidate = Dict[str, Any]
NUMBER_ONLY = re.compile(r"\s{0,3}(\d{1,3}(?:[.,]\d)?)\s{0,3}")  # "50", "7,5"; "20.08" is a date
SHORT_REPLY = 40
LONE_NUMBER = re.compile(r"(?<![\w.,/:-])\d{1,3}(?:[.,]\d)?(?![\w.,/:-]|[.,]\d)")
DATE_LIKE = re.compile(r"\d{1,2}[.,]\d{1,2}")  # "20.08": not an amount
YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
# A Norwegian or English amount: 254950, 254 950, 254,950, 254.950,50 (groups of three only).
AMOUNT = r"\d{1,3}(?:[ \u00a0.,]\d{3})+(?:[.,]\d{1,2})?|\d{1,9}(?:[.,]\d{1,2})?"


def _phrase(phrase: str) -> str:
    """A literal phrase; a trailing "*" lets it go on as a word ("trekk*" -> "trekker")."""
    stem = phrase.endswith("*")
    body = r"\s+".join(re.escape(part) for part in phrase.rstrip("*").split())
    return body + (r"\w*" if stem else "")


def _alternation(phrases: Iterable[str]) -> str:
    ordered = sorted(set(phrases), key=lambda p: len(p.rstrip("*")), reverse=True)
    return "|".join(_phrase(p) for p in ordered)


def _both(table: Dict[str, List[str]], language: Optional[str]) -> List[str]:
    return [p for lang in (("en", "nb") if language not in ("en", "nb") else (language,)) for p in table[lang]]


@lru_cache(maxsize=None)
def _words_patterns(section: str, language: Optional[str]) -> Tuple[Tuple[str, Pattern], ...]:
    """(value, pattern) per value of a vocabulary section ("no idea" must not stop at "no")."""
    return tuple((value, re.compile(rf"(?<!\w)(?:{_alternation(_both(phrases, language))})(?!\w)", re.IGNORECASE))
                 for value, phrases in words()[section].items())


@lru_cache(maxsize=None)
def _list_pattern(path: str, language: Optional[str]) -> Pattern:
    """The phrases at a dotted path of vocabulary.yml ("start.ahead"), one alternation."""
    table = words()
    for key in path.split("."):
        table = table[key]
    return re.compile(rf"(?<!\w)(?:{_alternation(_both(table, language))})(?!\w)", re.IGNORECASE)


def _found(entity: str, value: Any, match: re.Match, role: Optional[str] = None) -> Candidate:
    found = {"entity": entity, "value": value, "start": match.start(), "end": match.end(), "text": match.group(0)}
    return {**found, "role": role} if role else found


def _valued(section: str, entity: str, text: str, language: Optional[str]) -> List[Candidate]:
    return [_found(entity, value, m) for value, pattern in _words_patterns(section, language)
            for m in pattern.finditer(text)]


def replies(text: str, language: Optional[str]) -> List[Candidate]:
    """"dont_know" wherever it is said; "yes"/"no" only as the first words of the message."""
    found = _valued("replies", "reply", text, language)
    if any(f["value"] == "dont_know" for f in found):
        return [f for f in found if f["value"] == "dont_know"]
    lead = len(text) - len(text.lstrip(" \t\n\"'«(-–—.,!"))
    return [f for f in found if f["start"] == lead][:1]


def start_terms(text: str, language: Optional[str]) -> List[Candidate]:
    """When the programme starts, or None: a past start without a year ("I started") is not said."""
    vocab = {k: _list_pattern(f"start.{k}", language) for k in ("ahead", "future", "autumn", "spring", "before")}
    year = YEAR.search(text)
    spring = vocab["spring"].search(text)
    if year:
        value, season = int(year.group(1)), "spring" if spring else "autumn"
        if vocab["before"].search(text, 0, year.start()) and season == "autumn":
            value -= 1  # "before autumn 2023" / "before 2023": the autumn before
        return [_found("start", f"{value}-{season}", year)]
    ahead, future, autumn = (vocab[k].search(text) for k in ("ahead", "future", "autumn"))
    if ahead or (future and autumn):
        return [_found("start", "ahead", ahead or future)]
    return [_found("start", "ahead", future, role="implied")] if future else []


def amounts(text: str, language: Optional[str]) -> List[Candidate]:
    pattern = _money_pattern()
    found = []
    for m in pattern.finditer(text):
        raw = next(g for g in (m.group("a"), m.group("b"), m.group("c")) if g)
        value = parse_amount(raw)
        if value is not None:
            found.append(_found("amount_paid", value, m))
    return found


@lru_cache(maxsize=None)
def _money_pattern() -> Pattern:
    money = words()["money"]
    before, after, paid = (_alternation(money[k]) for k in ("currency_before", "currency_after", "paid"))
    return re.compile(rf"(?<!\w)(?:(?:{before})\s?(?P<a>{AMOUNT})|(?P<b>{AMOUNT})\s?(?:{after})|"
                      rf"(?:{paid})\s(?P<c>{AMOUNT}))(?![\w])", re.IGNORECASE)


BARE_AMOUNT = re.compile(rf"(?<![\w.,])(?:{AMOUNT})(?![\w]|[.,]\d)")


def bare_amount(text: str) -> Optional[float]:
    """The amount in a reply to "how much did you pay?" without a currency ("254 950"); None if
    there is none or more than one. Read from at most 200 characters."""
    found = [m for m in BARE_AMOUNT.finditer(text[:200]) if not DATE_LIKE.fullmatch(m.group(0))]
    return parse_amount(found[0].group(0)) if len(found) == 1 else None


def parse_amount(raw: str) -> Optional[float]:
    """"254,950" / "254 950" / "254.950" -> 254950; "63 737,50" -> 63737.5."""
    raw = re.sub(r"[ \u00a0]", "", raw)
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", raw):
        raw = re.sub(r"[.,]", "", raw)
    elif re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+[.,]\d{1,2}", raw):
        raw = re.sub(r"[.,](?=\d{3})", "", raw)
    try:
        return float(Decimal(raw.replace(",", ".")))
    except InvalidOperation:
        return None


@lru_cache(maxsize=None)
def _before_pattern(section: str, language: Optional[str], between: int) -> Pattern:
    """A phrase of `section`, then at most `between` words, then the end of the (bounded) window."""
    return re.compile(rf"(?<!\w)(?:{_alternation(_both(words()[section], language))})(?:\s+[\w'’-]{{1,20}}){{0,{between}}}\s*$",
                      re.IGNORECASE)


def negated_nearby(text: str, start: int, language: Optional[str]) -> bool:
    """A negation at most two words before `start` ("not studying full time", "ikke studere heltid")."""
    return bool(_before_pattern("negations", language, 2).search(text[max(0, start - 48):start]))


def not_citizenship(text: str, start: int, language: Optional[str]) -> bool:
    """A country named as where one lives, was born, or a citizenship one had (at most two words between)."""
    return bool(_before_pattern("not_citizenship_before", language, 2).search(text[max(0, start - 48):start]))


def negated(text: str, start: int, language: Optional[str]) -> bool:
    """Is the word(s) just before `start` a negation ("not Swedish", "ikke svensk")?"""
    before = text[max(0, start - 24):start]
    return bool(re.search(rf"(?<!\w)(?:{_alternation(_both(words()['negations'], language))})\s*(?:a\s+|an\s+)?$",
                          before, re.IGNORECASE))


def find_answers(text: str, language: Optional[str] = None) -> List[Candidate]:
    """Every answer entity in `text` (unordered; the caller keeps the longest of overlaps)."""
    text = (text or "")[: words()["max_chars"]]
    found = replies(text, language) + start_terms(text, language) + amounts(text, language)
    found += _valued("study_modes", "study_mode", text, language)
    found += _valued("special_situations", "special_situation", text, language)
    found += _valued("refund_reasons", "refund_reason", text, language)
    found += [_found("also", "also", m) for m in _list_pattern("additions", language).finditer(text)]
    number = NUMBER_ONLY.fullmatch(text[:16]) if len(text) <= 16 else None
    if number:
        found.append({"entity": "number", "value": float(number.group(1).replace(",", ".")),
                      "start": number.start(1), "end": number.end(1), "text": number.group(1)})
    elif len(text) <= SHORT_REPLY:
        # "no, only 60", "nei 75": one bare number in a short reply (a date or an amount is longer)
        numbers = list(LONE_NUMBER.finditer(text))
        if len(numbers) == 1:
            found.append({"entity": "number", "value": float(numbers[0].group(0).replace(",", ".")),
                          "start": numbers[0].start(), "end": numbers[0].end(), "text": numbers[0].group(0)})
    return found
