"""How much: NTNU's price category by level and programme, per year, per semester, by credits.

Seed (https://www.ntnu.no/studier/studieavgift, "NTNUs prisliste"; fees.yml `categories`, `amounts`):
- Prices are NOK per year: "Kategori C (Realfag og teknologi på høyere grads nivå) ...
  Master: 254 950,- per år". Industrial Ecology is category C (fees.yml `programmes`).
- "For studenter som tar enkeltemner beregnes studieavgiften på grunnlag av fagområdet og antallet
  studiepoeng for hvert emne sammenlignet med et fulltidsstudium." (a year is 60 credits,
  fees.yml `conventions.credits_per_year`)
- "Studieavgiften reduseres tilsvarende hvis du studerer på deltid, eller øker tilsvarende hvis du
  melder deg opp til mer enn 30 studiepoeng i semesteret." "Administrasjonsgebyret påvirkes ikke."
- Every amount notes "... vil få informasjon i opptaksbrevet om hvor mye de skal betale" (the
  admission letter is binding) and "Studieavgiftene vil bli justert årlig."
Amounts are rounded to whole øre, half up.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Optional, Tuple, Union

from fees.facts import citation, contact, fact, load, nok
from fees.results import AmountResult, Citation, Outcome, make

Number = Union[int, str, Decimal]
ORE = Decimal("0.01")
PERCENT = Decimal(100)
NOTES = ("amounts.admission_letter", "amounts.annual_adjustment")


def _uncovered(rule_id: str, **fields) -> AmountResult:
    return make(AmountResult, Outcome.UNCOVERED, citation(rule_id), contact=contact(), **fields)


def _price(level: Optional[str], programme: Optional[str], category: Optional[str]):
    """(annual price, level, category) or an UNCOVERED/EXEMPT result."""
    if programme is not None:
        entry = load()["programmes"].get(programme)
        if entry is None or (category and category != entry["category"]):
            return _uncovered("amounts.faculties", level=level, category=category)
        if level not in (None, entry["level"]):
            return _uncovered("amounts.faculties", level=level, category=entry["category"])
        level, category = entry["level"], entry["category"]
    if level == "phd":
        return make(AmountResult, Outcome.EXEMPT, citation("phd"), amount=Decimal(0), level=level)
    prices = load()["categories"].get(category or "")
    if prices is None or level not in ("bachelor", "master"):
        return _uncovered("amounts.faculties", level=level, category=category)
    return nok(prices[level]), level, category


def _amount(rule_id: str, annual: Decimal, factor: Decimal, level: str, category: str,
            basis: Tuple[str, ...], extra_notes: Tuple[str, ...] = (), **fields) -> AmountResult:
    amount = (annual * factor).quantize(ORE, rounding=ROUND_HALF_UP)
    if amount == amount.to_integral_value():
        amount = amount.quantize(Decimal(1))
    basis_rules = tuple(r for r in (f"categories.{category}",) + basis if r != rule_id)
    return make(AmountResult, Outcome.AMOUNT, citation(rule_id), amount=amount,
                basis=tuple(citation(r) for r in basis_rules),
                notes=tuple(citation(r) for r in NOTES + extra_notes),
                level=level, category=category, **fields)


def _share_rule(share: Decimal, category: str) -> Tuple[str, Tuple[str, ...]]:
    if share == PERCENT:
        return f"categories.{category}", ()
    return ("amounts.part_time" if share < PERCENT else "amounts.above_full_load"), ("amounts.administration_fee",)


def _check(value: Number, name: str) -> Decimal:
    value = Decimal(str(value))
    if value < 0:
        raise ValueError(f"{name} cannot be negative: {value}")
    return value


def _share_of_year(fraction_of_year: Decimal, period: str, basis: Tuple[str, ...], level: Optional[str],
                   programme: Optional[str], category: Optional[str], share_percent: Number) -> AmountResult:
    """A fraction of the annual price at `share_percent` of full time (0 % is not covered)."""
    share = _check(share_percent, "share_percent")
    price = _price(level, programme, category)
    if isinstance(price, AmountResult):
        return price
    annual, level, category = price
    if share == 0:
        return _uncovered("amounts.part_time", level=level, category=category, share_percent=share)
    rule_id, notes = _share_rule(share, category)
    return _amount(rule_id, annual, fraction_of_year * share / PERCENT, level, category, basis, notes,
                   period=period, share_percent=share)


def annual_fee(level: Optional[str] = None, *, programme: Optional[str] = None,
               category: Optional[str] = None, share_percent: Number = PERCENT) -> AmountResult:
    """The fee for one year at `share_percent` of full time (part-time reduces it proportionally)."""
    return _share_of_year(Decimal(1), "year", (), level, programme, category, share_percent)


def semester_fee(level: Optional[str] = None, *, programme: Optional[str] = None,
                 category: Optional[str] = None, share_percent: Number = PERCENT) -> AmountResult:
    """One semester: 30 of a year's 60 credits, times the part-time share."""
    per_semester = nok(fact("amounts.above_full_load")["credits_per_semester"])
    per_year = nok(fact("conventions.credits_per_year")["value"])
    return _share_of_year(per_semester / per_year, "semester", ("conventions.credits_per_year",),
                          level, programme, category, share_percent)


def credits_fee(credits: Number, level: Optional[str] = None, *, programme: Optional[str] = None,
                category: Optional[str] = None) -> AmountResult:
    """Individual courses (or a semester's registration) priced by credits against 60 a year.

    More than 30 credits in a semester raises the fee in the same proportion.
    """
    credits = _check(credits, "credits")
    price = _price(level, programme, category)
    if isinstance(price, AmountResult):
        return price
    annual, level, category = price
    if credits == 0:
        return _uncovered("amounts.single_courses", level=level, category=category, credits=credits)
    per_semester = nok(fact("amounts.above_full_load")["credits_per_semester"])
    rule_id = "amounts.single_courses" if credits <= per_semester else "amounts.above_full_load"
    per_year = nok(fact("conventions.credits_per_year")["value"])
    return _amount(rule_id, annual, credits / per_year, level, category,
                   ("conventions.credits_per_year",), ("amounts.administration_fee",),
                   period="credits", credits=credits)


def price_citation(category: str) -> Citation:
    """The price list entry of a category, e.g. "Kategori C (...) Master: 254 950,- per år"."""
    return citation(f"categories.{category}")
