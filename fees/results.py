"""What the fee functions return: an outcome, an amount and the rule it rests on.

No prose for people here: the Rasa responses say it in English or Norwegian, reading
`outcome`, the formatted `amount` and the `source` sentence.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Optional, Tuple


class Outcome(str, Enum):
    # who pays
    PAYS = "pays"
    EXEMPT = "exempt"
    APPLY_FOR_EXEMPTION = "apply_for_exemption"
    NEEDS_INFO = "needs_info"
    # how much
    AMOUNT = "amount"
    # exemption application
    NOT_YET = "not_yet"
    OPEN = "open"
    DEADLINE_PASSED = "deadline_passed"
    # refunds
    FULL_REFUND = "full_refund"
    PARTIAL_REFUND = "partial_refund"
    NO_REFUND = "no_refund"
    AMBIGUOUS = "ambiguous"
    # the page does not say: no amount, point to opptak@ntnu.no
    UNCOVERED = "uncovered"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Citation:
    rule_id: str  # dotted path in fees/data/fees.yml
    source: str  # the Norwegian seed sentence(s)
    source_url: str


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    rule_id: str
    source: str
    source_url: str
    amount: Optional[Decimal] = None
    basis: Tuple[Citation, ...] = ()  # further rules the result rests on
    notes: Tuple[Citation, ...] = ()  # caveats to tell ("the admission letter is binding")
    contact: Optional[str] = None  # set when the person should write to NTNU

    @property
    def citation(self) -> Citation:
        return Citation(self.rule_id, self.source, self.source_url)


@dataclass(frozen=True)
class LiabilityResult(Result):
    missing: Tuple[str, ...] = ()  # what to ask for when outcome is NEEDS_INFO
    # The citizenship the outcome rests on: of several, the EU/EEA/Swiss one that exempts.
    decided_by: Optional[str] = None


@dataclass(frozen=True)
class AmountResult(Result):
    level: Optional[str] = None
    category: Optional[str] = None
    period: Optional[str] = None  # "year", "semester" or "credits"
    share_percent: Optional[Decimal] = None
    credits: Optional[Decimal] = None


@dataclass(frozen=True)
class DeadlineResult(Result):
    deadline: Optional[date] = None
    days_left: Optional[int] = None  # negative once the deadline has passed
    processing_weeks: Optional[int] = None


@dataclass(frozen=True)
class RefundResult(Result):
    kept: Optional[Decimal] = None  # what NTNU keeps (the NOK 5000 fee)
    bank_fees_deducted: bool = False
    candidates: Tuple[Tuple[str, Optional[Decimal]], ...] = ()  # (rule id, refund) when ambiguous


def make(cls, outcome: Outcome, cite: Citation, **fields) -> Result:
    """A result of type `cls` resting on `cite`."""
    return cls(outcome, cite.rule_id, cite.source, cite.source_url, **fields)
