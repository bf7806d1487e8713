"""Dates in free text, English and Norwegian, against a fixed `today`."""
from datetime import date

import pytest

from entities.dates import find_dates, parse_date
from fees.dates import page_date

SPRING = date(2026, 3, 1)  # an applicant planning the autumn
AFTER_DEADLINE = date(2026, 9, 20)  # a student reporting a recent withdrawal

READS = [
    # (text, language, today, date)
    ("3 September", "en", SPRING, date(2026, 9, 3)),
    ("3. september", "nb", SPRING, date(2026, 9, 3)),
    ("september 3rd", "en", SPRING, date(2026, 9, 3)),
    ("the 3rd of September", "en", SPRING, date(2026, 9, 3)),
    ("Sept. 3", "en", SPRING, date(2026, 9, 3)),
    ("den 3. sept.", "nb", SPRING, date(2026, 9, 3)),
    ("20.08", "nb", SPRING, date(2026, 8, 20)),
    ("20/8", "en", SPRING, date(2026, 8, 20)),
    ("8/20", "en", SPRING, date(2026, 8, 20)),  # month first only when the day is > 12
    ("2026-08-20", "en", SPRING, date(2026, 8, 20)),
    ("20.08.2026", "nb", SPRING, date(2026, 8, 20)),
    ("3.9.26", "nb", SPRING, date(2026, 9, 3)),
    ("May 3, 2027", "en", SPRING, date(2027, 5, 3)),
    ("1. august", "nb", SPRING, date(2026, 8, 1)),
    ("15. september 2025", "nb", SPRING, date(2025, 9, 15)),
    ("today", "en", SPRING, SPRING),
    ("i dag", "nb", SPRING, SPRING),
    ("tomorrow", "en", SPRING, date(2026, 3, 2)),
    ("i morgen", "nb", SPRING, date(2026, 3, 2)),
    ("next week", "en", SPRING, date(2026, 3, 8)),
    ("neste uke", "nb", SPRING, date(2026, 3, 8)),
    ("I withdraw on 3 September, what do I get back?", "en", SPRING, date(2026, 9, 3)),
    ("Jeg trekker meg 10. august", "nb", SPRING, date(2026, 8, 10)),
    # No year: the next such day, unless it was at most a month ago.
    ("3 September", "en", AFTER_DEADLINE, date(2026, 9, 3)),
    ("20 December", "en", date(2027, 1, 10), date(2026, 12, 20)),
    ("1 August", "en", date(2026, 9, 20), date(2027, 8, 1)),
    ("29 February", "en", SPRING, date(2028, 2, 29)),
    ("i morgen", None, SPRING, date(2026, 3, 2)),  # no language: both word lists
]
NOT_A_DATE = [
    "two 7.5-credit courses",
    "12.5 ECTS",
    "40 %",
    "I may withdraw",
    "50/50",
    "NOK 254,950",
    "31.02",
    "in August",
]


@pytest.mark.parametrize("text, language, today, expected", READS)
def test_reads_a_date(text, language, today, expected):
    assert parse_date(text, today, language) == expected


@pytest.mark.parametrize("text", NOT_A_DATE)
def test_reads_no_date(text):
    assert find_dates(text, SPRING) == []


def test_a_date_match_gives_its_place_in_the_text():
    (match,) = find_dates("I withdraw on 3 September, ok?", SPRING, "en")
    assert (match.start, match.end, match.text) == (14, 25, "3 September")


@pytest.mark.parametrize("text, year, expected", [
    ("1. august", 2026, date(2026, 8, 1)),
    ("15. september", 2027, date(2027, 9, 15)),
])
def test_reads_the_dates_of_the_data_file(text, year, expected):
    assert page_date(text, year) == expected
