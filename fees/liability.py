"""Who pays the tuition fee: citizenship, the five automatic exemptions, PhD, applying for exemption.

Seed (https://www.ntnu.no/studier/studieavgift):
- "Har du statsborgerskap fra land utenfor EU/EØS og Sveits, må du fra høsten 2023 betale
  studieavgift for å studere på NTNU."
- "Du trenger ikke betale studieavgift eller søke om fritak om du:" items 1-5
  (fees.yml `automatic_exemptions`), and "Doktorgradsstudenter er unntatt fra kravet om egenbetaling."
- Permanent residence or another special connection to Norway is no automatic exemption:
  "... kan du søke om fritak fra å betale studieavgift." (fees.yml `apply_for_exemption`)
- "Det er ditt ansvar som søker/student å dokumentere at du er unntatt kravet om studieavgift."
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Optional, Tuple, Union

from fees.countries import first_eu_eea_swiss, is_uncovered_territory, normalise_code
from fees.facts import citation, contact, fact
from fees.results import LiabilityResult, Outcome, make

SEASONS = ("spring", "autumn")  # the order of terms within a year


@dataclass(frozen=True)
class Situation:
    """What the person told us. Unknown is False/None: an exemption is only applied when claimed."""

    citizenships: Union[str, Tuple[str, ...]] = ()  # ISO alpha-2 codes; dual citizens give all
    # No citizenship named, but the answer is wanted for a citizen of a country outside
    # EU/EEA and Switzerland (the person does not know, or says "non-EU" without a country).
    outside_eu_eea: bool = False
    level: Optional[str] = None  # "bachelor", "master" or "phd"
    partner_exchange: bool = False  # exchange student from an NTNU partner university
    started_before_fees: bool = False  # began the study programme before autumn 2023
    new_admission: bool = False  # needs a new admission (a Norwegian course counts as one)
    norwegian_course: bool = False
    joint_master: Optional[str] = None  # "erasmus_mundus" or "nordic_five_tech"
    hkdir_scholarship: bool = False  # HK-dir full-degree scholarship (NORPART, STAR ...)
    permanent_residence: bool = False
    special_connection: bool = False  # another special connection to Norway

    def __post_init__(self):
        codes = (self.citizenships,) if isinstance(self.citizenships, str) else tuple(self.citizenships)
        object.__setattr__(self, "citizenships", tuple(c.strip().upper() for c in codes if c))


def began_before_fees(year: int, season: str) -> bool:
    """Did a programme begun in `season` `year` start before the fee (fees.yml introduction.first_term)?"""
    first = fact("introduction.first_term")
    return (year, SEASONS.index(season)) < (first["year"], SEASONS.index(first["season"]))


def _exempt(rule_id: str, *basis: str, decided_by: Optional[str] = None) -> LiabilityResult:
    return make(LiabilityResult, Outcome.EXEMPT, citation(rule_id), amount=Decimal(0),
                basis=tuple(citation(b) for b in basis), notes=(citation("documentation"),),
                decided_by=decided_by)


def _phd(s: Situation) -> Optional[LiabilityResult]:
    return _exempt("phd") if s.level == "phd" else None


def _eu_eea_swiss(s: Situation) -> Optional[LiabilityResult]:
    """Any one EU/EEA/Swiss citizenship exempts, whatever the others ("India and Germany")."""
    code = first_eu_eea_swiss(s.citizenships)
    if code:
        return _exempt("automatic_exemptions.eu_eea_swiss", "countries.eu_eea_switzerland", decided_by=code)
    return None


def _partner_exchange(s: Situation) -> Optional[LiabilityResult]:
    return _exempt("automatic_exemptions.partner_exchange") if s.partner_exchange else None


def _started_before_fees(s: Situation) -> Optional[LiabilityResult]:
    """Item 3 holds for courses needing no new admission; a Norwegian course is a new admission."""
    if s.started_before_fees and not (s.new_admission or s.norwegian_course):
        return _exempt("automatic_exemptions.started_before_fees",
                       "automatic_exemptions.started_before_fees.single_courses")
    return None


def _joint_master(s: Situation) -> Optional[LiabilityResult]:
    if s.joint_master is None:
        return None
    if s.joint_master not in fact("automatic_exemptions.joint_master")["programmes"]:
        raise ValueError(f"unknown joint master programme {s.joint_master!r}")
    return _exempt("automatic_exemptions.joint_master")


def _hkdir(s: Situation) -> Optional[LiabilityResult]:
    return _exempt("automatic_exemptions.hkdir_scholarship") if s.hkdir_scholarship else None


EXEMPTIONS: Tuple[Callable[[Situation], Optional[LiabilityResult]], ...] = (
    _phd, _eu_eea_swiss, _partner_exchange, _started_before_fees, _joint_master, _hkdir,
)


def _uncovered(rule_id: str) -> LiabilityResult:
    return make(LiabilityResult, Outcome.UNCOVERED, citation(rule_id), contact=contact())


def who_pays(situation: Situation) -> LiabilityResult:
    """PAYS, EXEMPT (amount 0), APPLY_FOR_EXEMPTION, NEEDS_INFO (citizenship) or UNCOVERED."""
    for exemption in EXEMPTIONS:
        result = exemption(situation)
        if result:
            return result
    if not situation.citizenships and not situation.outside_eu_eea:
        return make(LiabilityResult, Outcome.NEEDS_INFO, citation("introduction.who_pays"),
                    missing=("citizenship",))
    if any(normalise_code(c) is None or is_uncovered_territory(c) for c in situation.citizenships):
        return _uncovered("countries.eu_eea_switzerland")
    lost = ()
    if situation.started_before_fees:  # but needs a new admission: item 3 no longer holds
        lost = (citation("automatic_exemptions.started_before_fees.new_admission"),)
    if situation.permanent_residence or situation.special_connection:
        return make(LiabilityResult, Outcome.APPLY_FOR_EXEMPTION, citation("apply_for_exemption"),
                    basis=lost + (citation("apply_for_exemption.must_report"),),
                    notes=tuple(citation(r) for r in ("apply_for_exemption.form", "apply_for_exemption.when",
                                                      "apply_for_exemption.deadline", "documentation")),
                    contact=contact())
    return make(LiabilityResult, Outcome.PAYS, citation("introduction.who_pays"), basis=lost,
                notes=(citation("amounts.payment_letter"), citation("amounts.missed_payment")))
