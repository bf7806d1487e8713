"""Who pays and how much, together: "I'm Indian, I start in August, what will I pay?".

First `liability.who_pays` (exempt, apply for exemption, needs info ...); only when the person
pays, `amounts` gives the figure. Seed: see those two modules.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional, Union

from fees.amounts import annual_fee, credits_fee, semester_fee
from fees.liability import Situation, who_pays
from fees.results import Outcome, Result

Number = Union[int, str, Decimal]


def fee_for(situation: Situation, *, programme: Optional[str] = None, category: Optional[str] = None,
            share_percent: Optional[Number] = None, credits: Optional[Number] = None,
            period: str = "year") -> Result:
    """The liability result unless the person pays; then the amount per year, semester or credits."""
    liability = who_pays(situation)
    if liability.outcome != Outcome.PAYS:
        return liability
    where = dict(programme=programme, category=category)
    if credits is not None:
        return credits_fee(credits, situation.level, **where)
    share = 100 if share_percent is None else share_percent
    if period == "semester":
        return semester_fee(situation.level, share_percent=share, **where)
    return annual_fee(situation.level, share_percent=share, **where)
