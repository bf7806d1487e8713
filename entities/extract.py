"""`extract_entities(text, language)`: fee entities as Rasa-style dicts.

- country:    ISO alpha-2 code, from names and nationality words in both languages
              ("Tyskland", "German", "svensk statsborger"); not when a language or a degree
              follows ("Norwegian course", "norsk bachelorgrad").
- level:      "bachelor", "master" or "phd" ("MSc", "master's", "mastergrad", "ph.d.").
- credits:    total credits; "two 7.5-credit courses" -> 15.
- percentage: study share; "40 %", "40 prosent", "half-time" -> 50, "heltid" -> 100.
- date:       ISO date, read by entities/dates.py relative to `today`.
- the answers to the dialogues' questions (entities/answers.py): reply (yes/no/dont_know),
  study_mode, start, special_situation, refund_reason, amount_paid, also.
A country right after a negation ("not Swedish") has the role "negated"; after where one lives,
was born or a past ("bor i Tyskland", "I used to be French") the role "not_citizenship".
"Full time" after a negation ("not studying full time") is study_mode part_time; A date after "før"/"before"
or "etter"/"after" has the role "before"/"after": a bound, not the day itself.
With no language (None) both pipelines run; overlapping findings keep the longest.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Dict, List, Optional

from entities.answers import find_answers, negated, negated_nearby, not_citizenship
from entities.countries import not_citizenship_after
from entities.dates import find_dates, relation
from entities.patterns import vocabulary
from entities.pipeline import LANGUAGES, pipeline

ENTITY_NAMES = ("country", "level", "credits", "percentage", "date", "reply", "study_mode", "start",
                "special_situation", "refund_reason", "amount_paid", "also", "number")


def _number(text: str, language: str) -> Optional[Decimal]:
    words = {**vocabulary()["count_words"][language], **vocabulary()["share_number_words"][language]}
    if text.lower() in words:
        return Decimal(words[text.lower()])
    try:
        return Decimal(text.replace(",", "."))
    except ArithmeticError:
        return None


def _plain(value: Decimal):
    """15 rather than 15.0; 7.5 as a float (JSON-friendly)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _numbers(span, language: str) -> List[Decimal]:
    values = [_number(t.text, language) for t in span]
    return [v for v in values if v is not None]


def _candidate(entity: str, value: Any, span) -> Dict[str, Any]:
    return {"entity": entity, "value": value, "start": span.start_char, "end": span.end_char, "text": span.text}


def _from_ruler(doc, language: str) -> List[Dict[str, Any]]:
    stop = not_citizenship_after(language)
    found = []
    for ent in doc.ents:
        if ent.label_ == "country_demonym" and ent.end < len(doc) and doc[ent.end].lower_ in stop:
            continue  # "Norwegian course": a language, not a citizenship
        if ent.label_ == "share_word":
            found.append(_candidate("percentage", int(ent.ent_id_), ent))
        else:
            found.append(_candidate(ent.label_.replace("_demonym", ""), ent.ent_id_, ent))
    return found


def _from_matcher(doc, matcher, language: str) -> List[Dict[str, Any]]:
    found = []
    for match_id, start, end in matcher(doc):
        label, span = doc.vocab.strings[match_id], doc[start:end]
        numbers = _numbers(span, language)
        if label == "credits_total" and len(numbers) >= 2:
            found.append(_candidate("credits", _plain(numbers[0] * numbers[1]), span))
        elif label in ("credits", "percentage") and numbers:
            found.append(_candidate(label, _plain(numbers[-1] if label == "percentage" else numbers[0]), span))
    return found


def _longest_first(candidates: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    chosen: List[Dict[str, Any]] = []
    for c in sorted(candidates, key=lambda c: (c["start"] - c["end"], c["start"])):
        if all(c["end"] <= k["start"] or c["start"] >= k["end"] for k in chosen):
            chosen.append(c)
    return sorted(chosen, key=lambda c: c["start"])


def extract_entities(text: str, language: Optional[str] = None, today: Optional[date] = None) -> List[Dict[str, Any]]:
    """Entities in `text` ("en", "nb", or None for both), left to right."""
    if not text:
        return []
    text = text[: vocabulary()["max_chars"]]  # bounded work for any input
    candidates = find_answers(text, language)
    for lang in ((language,) if language in LANGUAGES else LANGUAGES):
        nlp, matcher = pipeline(lang)
        doc = nlp(text)
        candidates += _from_ruler(doc, lang) + _from_matcher(doc, matcher, lang)
    for d in find_dates(text, today, language):
        found = {"entity": "date", "value": d.value.isoformat(), "start": d.start, "end": d.end, "text": d.text}
        bound = relation(text, d.start, language)
        candidates.append({**found, "role": bound} if bound else found)
    for found in candidates:
        if found["entity"] == "country" and negated(text, found["start"], language):
            found["role"] = "negated"
        elif found["entity"] == "country" and not_citizenship(text, found["start"], language):
            found["role"] = "not_citizenship"  # where they live or were born, or a former one
        elif found["entity"] == "percentage" and found["value"] == 100 and negated_nearby(text, found["start"], language):
            found.update(entity="study_mode", value="part_time")  # "I'm not studying full time"
    return _longest_first(candidates)
