"""Properties that hold for every input, checked by hypothesis.

- a refund is never negative and never more than what was paid;
- a later withdrawal never refunds more (1 August counts as both of its readings);
- fees never go down when credits or the study share go up, and are never negative;
- amounts written for people keep their digits in both languages; dates read back.
"""
from datetime import date, timedelta
from decimal import Decimal

from babel.dates import format_date
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fees import annual_fee, credits_fee, exemption_application, format_nok, refund_for, semester_fee
from entities.dates import parse_date
from fees.facts import load

CATEGORIES = sorted(load()["categories"])
LEVELS = ["bachelor", "master"]
KEPT = Decimal(load()["refunds"]["withdrawal"]["after_august_1"]["kept"])
CREDITS_PER_YEAR = Decimal(load()["conventions"]["credits_per_year"]["value"])

money = st.decimals(min_value=0, max_value=1_000_000, places=2)
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
credits = st.decimals(min_value=Decimal("0.5"), max_value=120, places=1)
shares = st.decimals(min_value=1, max_value=100, places=0)


def refund_range(result):
    """(least, most) the person can get back; None when the page does not say."""
    if result.outcome == "ambiguous":
        # A reading the page does not settle either (e.g. less paid than the NOK 5000 kept) has no amount.
        amounts = [a for _, a in result.candidates if a is not None]
        return (min(amounts), max(amounts)) if amounts else None
    if result.amount is None:
        return None
    return result.amount, result.amount


@given(reason=st.sampled_from(["withdrawal", "udi_refusal"]), day=days, paid=money, fee_share=st.floats(0, 1))
def test_a_refund_is_never_more_than_paid_nor_negative(reason, day, paid, fee_share):
    bank_fees = (paid * Decimal(fee_share)).quantize(Decimal("0.01"))
    bank_fees = min(bank_fees, paid)
    result = refund_for(reason, day, paid, bank_fees=bank_fees, admission_year=2026)
    span = refund_range(result)
    if span:
        assert Decimal(0) <= span[0] <= span[1] <= paid


@given(first=days, gap=st.integers(0, 400), paid=st.decimals(min_value=KEPT, max_value=1_000_000, places=2),
       bank_fees=st.decimals(min_value=0, max_value=KEPT - 1, places=2))
def test_a_later_withdrawal_never_refunds_more(first, gap, paid, bank_fees):
    # Bank fees below the NOK 5000 kept after 1 August: the page deducts them only before it.
    assume(bank_fees <= paid)
    later = first + timedelta(days=gap)
    early = refund_range(refund_for("withdrawal", first, paid, bank_fees=bank_fees, admission_year=2026))
    late = refund_range(refund_for("withdrawal", later, paid, bank_fees=bank_fees, admission_year=2026))
    assert late[1] <= early[0] or late == early


@given(category=st.sampled_from(CATEGORIES), level=st.sampled_from(LEVELS), a=credits, b=credits)
def test_fees_grow_with_credits_and_are_never_negative(category, level, a, b):
    low, high = sorted((a, b))
    fee_low = credits_fee(low, level, category=category).amount
    fee_high = credits_fee(high, level, category=category).amount
    assert Decimal(0) < fee_low <= fee_high


@given(category=st.sampled_from(CATEGORIES), level=st.sampled_from(LEVELS), a=shares, b=shares)
def test_fees_grow_with_the_study_share_and_are_never_negative(category, level, a, b):
    low, high = sorted((a, b))
    for fee in (annual_fee, semester_fee):
        assert Decimal(0) < fee(level, category=category, share_percent=low).amount \
            <= fee(level, category=category, share_percent=high).amount


@given(category=st.sampled_from(CATEGORIES), level=st.sampled_from(LEVELS), share=shares)
def test_a_share_of_the_year_is_the_same_as_its_credits(category, level, share):
    # 100 % is a year's credits: x % of the year costs what x % of those credits cost.
    by_share = annual_fee(level, category=category, share_percent=share).amount
    by_credits = credits_fee(CREDITS_PER_YEAR * share / 100, level, category=category).amount
    assert abs(by_share - by_credits) <= Decimal("0.01")


@given(today=days)
def test_days_left_count_down_to_the_deadline(today):
    result = exemption_application(today)
    assert result.days_left == (result.deadline - today).days
    assert (result.outcome == "open") == (result.days_left >= 0)


@given(amount=money)
def test_both_languages_show_the_same_digits(amount):
    english, norwegian = format_nok(amount, "en"), format_nok(amount, "nb")
    assert english.startswith("NOK ") and norwegian.endswith(" kr")
    assert [c for c in english if c.isdigit()] == [c for c in norwegian if c.isdigit()]


@settings(max_examples=200)
@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
       language=st.sampled_from(["en", "nb"]), style=st.sampled_from(["long", "short_numeric", "iso"]))
def test_a_written_date_reads_back(day, language, style):
    if style == "long":
        text = format_date(day, "d MMMM y" if language == "en" else "d. MMMM y", locale=language)
    elif style == "short_numeric":
        text = day.strftime("%d.%m.%Y")
    else:
        text = day.isoformat()
    assert parse_date(text, date(2026, 1, 1), language) == day
