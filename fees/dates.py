"""The fee page's dates ("15. september", "1. august") as dates of a given year.

Only the page's own way of writing a date: reading dates out of what people type is
`entities.dates`.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Dict

from babel.dates import get_month_names


@lru_cache(maxsize=None)
def _norwegian_months() -> Dict[str, int]:
    return {name.lower(): number for number, name in get_month_names("wide", "format", "nb").items()}


def page_date(text: str, year: int) -> date:
    """A date as fees.yml writes it ("15. september") in a given year."""
    day, month = text.split()
    return date(year, _norwegian_months()[month.lower()], int(day.rstrip(".")))
