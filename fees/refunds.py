"""What comes back: refusal of the study permit, or withdrawal from the study place, by date.

Seed (fees.yml `refunds`):
- UDI refusal: "... vil du få tilbakebetalt alt du har betalt inn, unntatt bankgebyrer."
  "Pengene vil bli overført til bankkontoen din i hjemlandet."
- "... trekke deg fra studieplassen før 1. august, får du tilbakebetalt hele studieavgiften,
  unntatt bankgebyrer."
- "... etter 1. august, men innen oppmeldingsfristen 15. september, vil det bli trukket et gebyr
  på 5000 kr fra studieavgiften din." ("innen": up to and including 15 September)
- "Hvis du velger å avbryte studiene etter 15. september, vil du ikke få refundert studieavgiften."
- 1 August itself is in neither "før" nor "etter": fees.yml `refunds.withdrawal.on_august_1`
  decides (now: AMBIGUOUS, both readings given, contact opptak@ntnu.no).

Bank fees are deducted only where the page says so (`bank_fees=`, when known).
The dates belong to the autumn the studies start (`admission_year`, by default the year of
the withdrawal): a withdrawal in a later year is after 15 September, in an earlier one before 1 August.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Optional, Union

from fees.dates import page_date
from fees.facts import citation, contact, fact, nok
from fees.results import Outcome, RefundResult, make

Number = Union[int, str, Decimal]
REASONS = ("udi_refusal", "withdrawal")
WITHDRAWAL = "refunds.withdrawal"


def _money(value: Optional[Number], name: str) -> Optional[Decimal]:
    if value is None:
        return None
    value = Decimal(str(value))
    if value < 0:
        raise ValueError(f"{name} cannot be negative: {value}")
    return value


def _everything_back(rule_id: str, paid: Optional[Decimal], bank_fees: Optional[Decimal]) -> RefundResult:
    amount = None if paid is None else paid - (bank_fees or 0)
    if amount is not None and amount < 0:
        raise ValueError("bank fees larger than the amount paid")
    return make(RefundResult, Outcome.FULL_REFUND, citation(rule_id), amount=amount,
                bank_fees_deducted=True, kept=Decimal(0))


def _fee_kept(paid: Optional[Decimal]) -> RefundResult:
    rule_id = f"{WITHDRAWAL}.after_august_1"
    kept = nok(fact(rule_id)["kept"])
    if paid is not None and paid < kept:  # the page does not say what happens then
        return make(RefundResult, Outcome.UNCOVERED, citation(rule_id), contact=contact(), kept=kept)
    amount = None if paid is None else paid - kept
    return make(RefundResult, Outcome.PARTIAL_REFUND, citation(rule_id), amount=amount, kept=kept)


def _nothing_back() -> RefundResult:
    return make(RefundResult, Outcome.NO_REFUND, citation(f"{WITHDRAWAL}.after_september_15"),
                amount=Decimal(0))


def _rule_for(withdrawal_date: date, year: int) -> str:
    rules = fact(WITHDRAWAL)
    august_1 = page_date(rules["before_august_1"]["before"], year)
    september_15 = page_date(rules["after_august_1"]["until_and_including"], year)
    if withdrawal_date < august_1:
        return "before_august_1"
    if withdrawal_date == august_1:
        return rules["on_august_1"]["decision"]  # "ambiguous", or the rule NTNU confirms
    return "after_august_1" if withdrawal_date <= september_15 else "after_september_15"


def _withdrawal(rule: str, paid, bank_fees) -> RefundResult:
    if rule == "before_august_1":
        return _everything_back(f"{WITHDRAWAL}.before_august_1", paid, bank_fees)
    if rule == "after_august_1":
        return _fee_kept(paid)
    if rule == "after_september_15":
        return _nothing_back()
    readings = (_withdrawal("before_august_1", paid, bank_fees), _withdrawal("after_august_1", paid, bank_fees))
    return make(RefundResult, Outcome.AMBIGUOUS, citation(f"{WITHDRAWAL}.on_august_1"), contact=contact(),
                candidates=tuple((r.rule_id, r.amount) for r in readings))


def refund_for(reason: str, withdrawal_date: Optional[date] = None, paid: Optional[Number] = None, *,
               bank_fees: Optional[Number] = None, admission_year: Optional[int] = None) -> RefundResult:
    """The refund for `reason` ("udi_refusal" or "withdrawal") on `withdrawal_date`.

    `paid` unknown: the outcome and `kept` are still given, `amount` is None.
    """
    paid, bank_fees = _money(paid, "paid"), _money(bank_fees, "bank_fees")
    if reason == "udi_refusal":
        return _everything_back("refunds.udi_refusal", paid, bank_fees)
    if reason != "withdrawal":
        return make(RefundResult, Outcome.UNCOVERED, citation("contact"), contact=contact())
    if withdrawal_date is None:  # ask for the date
        return make(RefundResult, Outcome.NEEDS_INFO, citation(f"{WITHDRAWAL}.after_august_1"))
    year = admission_year or withdrawal_date.year
    return _withdrawal(_rule_for(withdrawal_date, year), paid, bank_fees)
