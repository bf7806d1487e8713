"""Norwegian kroner for people, in English or Norwegian.

en: "NOK 254,950" and "NOK 63,737.50"; nb: "254 950 kr" and "63 737,50 kr".
Whole kroner are shown without øre; anything else with two decimals (rounded half up).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Union

ORE = Decimal("0.01")


def _digits(amount: Decimal) -> str:
    """"254,950" or "63,737.50": English grouping, the form the other languages start from."""
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount.quantize(ORE, rounding=ROUND_HALF_UP):,}"


def format_nok(amount: Union[Decimal, int, str], language: str = "en") -> str:
    value = Decimal(str(amount))
    sign, digits = ("-" if value < 0 else ""), _digits(abs(value))
    if language == "nb":
        digits = digits.replace(",", " ").replace(".", ",")
        return f"{sign}{digits} kr"
    return f"{sign}NOK {digits}"
