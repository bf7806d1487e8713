"""Which citizenships the fee rules treat how: EU/EEA/Switzerland, territories, valid codes.

Rests on automatic exemption 1: "Er statsborger i et land i EU/EØS eller Sveits."
Reading country names out of free text is not a rule: that is `entities.countries`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Optional

import pycountry

from fees.facts import load


def _table() -> dict:
    return load()["countries"]


def normalise_code(code: Optional[str]) -> Optional[str]:
    """An ISO alpha-2 code as pycountry knows it ("ng" -> "NG"), or None."""
    country = pycountry.countries.get(alpha_2=(code or "").strip().upper()) if code else None
    return country.alpha_2 if country else None


@lru_cache(maxsize=None)
def eu_eea_swiss_codes() -> frozenset:
    table = _table()["eu_eea_switzerland"]
    return frozenset(table["eu"] + table["eea_efta"] + table["switzerland"])


def is_eu_eea_swiss(code: str) -> bool:
    """True for citizens who pay no fee: "Er statsborger i et land i EU/EØS eller Sveits." """
    return (code or "").upper() in eu_eea_swiss_codes()


def is_uncovered_territory(code: str) -> bool:
    """A territory of an EU/EEA state: where someone is from does not tell their citizenship."""
    return (code or "").upper() in set(_table()["territories_uncovered"]["codes"])


def first_eu_eea_swiss(codes: Iterable[str]) -> Optional[str]:
    """The first of several citizenships that exempts (any one does), or None."""
    return next((c for c in codes if is_eu_eea_swiss(c)), None)
