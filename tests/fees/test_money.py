"""NOK amounts as people write them, in English and Norwegian."""
from decimal import Decimal

import pytest

from fees.money import format_nok


@pytest.mark.parametrize("amount, language, text", [
    (Decimal("254950"), "en", "NOK 254,950"),
    (Decimal("254950"), "nb", "254 950 kr"),
    (Decimal("63737.50"), "en", "NOK 63,737.50"),
    (Decimal("63737.50"), "nb", "63 737,50 kr"),
    (Decimal("101980"), "en", "NOK 101,980"),
    (Decimal("101980"), "nb", "101 980 kr"),
    (Decimal("5000"), "en", "NOK 5,000"),
    (Decimal("5000"), "nb", "5 000 kr"),
    (Decimal("0"), "en", "NOK 0"),
    (Decimal("0"), "nb", "0 kr"),
    (Decimal("31868.75"), "nb", "31 868,75 kr"),
    (Decimal("16054.125"), "en", "NOK 16,054.13"),  # half up to whole øre
    (Decimal("254950.00"), "en", "NOK 254,950"),  # whole kroner without øre
    (Decimal("1234567.5"), "nb", "1 234 567,50 kr"),
    (254950, "en", "NOK 254,950"),
    ("63737.5", "en", "NOK 63,737.50"),
    (Decimal("999"), "nb", "999 kr"),
])
def test_format_nok(amount, language, text):
    assert format_nok(amount, language) == text
