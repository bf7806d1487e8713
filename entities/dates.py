"""Dates in free text, in English and Norwegian, relative to an injectable `today`.

Reads "3 September", "3. september", "september 3rd", "3rd of September", "20.08", "20/8",
"2026-08-20", "today"/"i dag", "tomorrow"/"i morgen", "next week"/"neste uke" (a week from today).
Month names come from babel (CLDR); the other words from `entities/date_words.yml`.

A day and month without a year means the next such day on or after today, unless that day
was at most `recent_past_days` ago: then the recent one. Asked on 20 September, "3 September"
is the 3 September just past (a withdrawal being reported); asked in March it is the coming one.
Numbers like "7.5" (credits) are no date: "d.m" needs a two-digit month ("20.08") or a year.
"d/m" is read day first; "8/20" (month first) only when the day is > 12.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Dict, List, Optional, Pattern, Tuple

from babel.dates import get_month_names

from entities.words import alternation, words

LANGUAGES = ("en", "nb")


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    text: str
    value: date


def _words() -> dict:
    return words("date_words.yml")


@lru_cache(maxsize=None)
def month_names() -> Dict[str, int]:
    """Lower-case month names and abbreviations of both languages -> month number."""
    names: Dict[str, int] = {}
    for language in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, language).items():
                    names[name.lower().rstrip(".")] = number
    names.update(_words()["extra_month_names"])
    return names


@lru_cache(maxsize=None)
def _patterns() -> Tuple[Pattern, ...]:
    month = f"(?P<month>{alternation(month_names())})\\.?"
    ordinal = f"(?:{alternation(_words()['ordinal_suffixes'])})"
    year = r"(?P<year>\d{4})"
    flags = re.IGNORECASE
    return (
        re.compile(r"(?<![\w.,/-])(?P<year>\d{4})-(?P<mnum>\d{1,2})-(?P<day>\d{1,2})(?![\w-])"),
        re.compile(rf"(?<![\w.,])(?P<day>\d{{1,2}})(?:\.|{ordinal})?\s*(?:of\s+)?{month}(?:,?\s+{year})?(?!\w)", flags),
        re.compile(rf"(?<![\w.])(?:the\s+)?{month}\s+(?:the\s+)?(?P<day>\d{{1,2}}){ordinal}?(?:,?\s+{year})?(?!\w)", flags),
        re.compile(r"(?<![\w.,/])(?P<day>\d{1,2})(?P<sep>[./])(?P<mnum>\d{1,2})(?:(?P=sep)(?P<year>\d{4}|\d{2}))?(?![\w]|[.,/]\d)"),
        re.compile(rf"(?<!\w)(?:the\s+|den\s+)?(?P<oword>{alternation(_words()['ordinal_words'])})\s+(?:of\s+)?{month}(?:,?\s+{year})?(?!\w)", flags),
    )


@lru_cache(maxsize=None)
def _relative(language: Optional[str]) -> Tuple[Pattern, Dict[str, int]]:
    table = _words()["relative_days"]
    offsets: Dict[str, int] = {}
    for lang in ([language] if language in LANGUAGES else LANGUAGES):
        offsets.update({k.lower(): v for k, v in table[lang].items()})
    return re.compile(rf"(?<!\w)(?:{alternation(offsets)})(?!\w)", re.IGNORECASE), offsets


def place_in_year(day: int, month: int, today: date) -> Optional[date]:
    """The day-month nearest ahead of `today`, or a recent one (see the module docstring)."""
    candidates = []
    for year in range(today.year - 1, today.year + 5):  # far enough ahead for 29 February
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue  # 29 February outside a leap year, 31 June ...
    past = [d for d in candidates if d < today]
    future = [d for d in candidates if d >= today]
    if past and (today - past[-1]).days <= _words()["recent_past_days"]:
        return past[-1]
    return future[0] if future else None


def _numeric_date(match: re.Match) -> Optional[Tuple[int, int]]:
    day, month = int(match["day"]), int(match["mnum"])
    if match["sep"] == "." and len(match["mnum"]) < 2 and not match["year"] \
            and match.string[match.end():match.end() + 1] != ".":
        return None  # "7.5" credits, not 7 May; "1.8." (with the closing dot) is 1 August
    if match["sep"] == "/" and month > 12 >= day:
        day, month = month, day  # "8/20": month first
    return day, month


def _to_date(match: re.Match, today: date) -> Optional[date]:
    groups = match.groupdict()
    if groups.get("oword"):
        day, month = _words()["ordinal_words"][match["oword"].lower()], month_names()[match["month"].lower()]
    elif groups.get("month"):
        day, month = int(match["day"]), month_names()[match["month"].lower()]
    elif groups.get("sep"):
        parsed = _numeric_date(match)
        if parsed is None:
            return None
        day, month = parsed
    else:
        day, month = int(match["day"]), int(match["mnum"])
    year = groups.get("year")
    if not year:
        return place_in_year(day, month, today)
    year = int(year) + (2000 if len(year) == 2 else 0)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def clock() -> date:
    """Today, or FEES_TODAY=YYYY-MM-DD (tests, demos): the same clock as the fee actions'."""
    value = os.environ.get("FEES_TODAY")
    return date.fromisoformat(value) if value else date.today()


def find_dates(text: str, today: Optional[date] = None, language: Optional[str] = None) -> List[DateMatch]:
    """Every date in `text`, left to right; overlapping readings keep the longest."""
    today = today or clock()
    found: List[DateMatch] = []
    for pattern in _patterns():
        for m in pattern.finditer(text):
            value = _to_date(m, today)
            if value:
                found.append(DateMatch(m.start(), m.end(), m.group(0), value))
    relative, offsets = _relative(language)
    for m in relative.finditer(text):
        found.append(DateMatch(m.start(), m.end(), m.group(0), today + timedelta(days=offsets[m.group(0).lower()])))
    chosen: List[DateMatch] = []
    for match in sorted(found, key=lambda d: (d.start - d.end, d.start)):
        if all(match.end <= c.start or match.start >= c.end for c in chosen):
            chosen.append(match)
    return sorted(chosen, key=lambda d: d.start)


@lru_cache(maxsize=None)
def _relation_patterns(language: Optional[str]) -> Tuple[Tuple[str, Pattern], ...]:
    table = _words()["date_relations"]
    langs = [language] if language in LANGUAGES else list(LANGUAGES)
    return tuple((relation, re.compile(rf"(?<!\w)(?:{alternation([w for l in langs for w in table[relation][l]])})\s*(?:the\s+|den\s+|on\s+)?$",
                                       re.IGNORECASE)) for relation in ("before", "after"))


def relation(text: str, start: int, language: Optional[str] = None) -> Optional[str]:
    """"before" / "after" when the words just before a date make it a bound ("før 1. august")."""
    window = text[max(0, start - 24):start]
    return next((name for name, pattern in _relation_patterns(language) if pattern.search(window)), None)


def parse_date(text: str, today: Optional[date] = None, language: Optional[str] = None) -> Optional[date]:
    """The first date in `text`, or None."""
    found = find_dates(text, today, language)
    return found[0].value if found else None
