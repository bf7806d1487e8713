"""When to apply for exemption from the fee, and how many days are left.

Seed (fees.yml `apply_for_exemption`):
- "Du kan søke om fritak fra studieavgift når du har fått bekreftet studieplass."
- "Forventet behandlingstid for søknad om fritak er ca. tre uker."
- "Du må sende inn søknaden senest 15. september." ("senest": 15 September itself still counts)
- The form and the list of grounds: "Du finner listen over unntak og søknadsskjema på siden
  Tuition fee - Master's degrees in English at NTNU".
"""
from __future__ import annotations

from datetime import date
from typing import Optional

from fees.dates import page_date
from fees.facts import citation, contact, fact
from fees.results import DeadlineResult, Outcome, make

NOTES = ("apply_for_exemption.form", "documentation", "apply_for_exemption.processing_time")


def exemption_application(today: Optional[date] = None, *, confirmed_study_place: bool = True,
                          year: Optional[int] = None) -> DeadlineResult:
    """NOT_YET (no confirmed study place), OPEN (with days left) or DEADLINE_PASSED.

    `year` is the autumn the studies start; by default the year of `today`.
    """
    today = today or date.today()
    deadline = page_date(fact("apply_for_exemption.deadline")["date"], year or today.year)
    fields = dict(deadline=deadline, days_left=(deadline - today).days,
                  processing_weeks=fact("apply_for_exemption.processing_time")["weeks"],
                  notes=tuple(citation(r) for r in NOTES))
    if not confirmed_study_place:
        return make(DeadlineResult, Outcome.NOT_YET, citation("apply_for_exemption.when"),
                    basis=(citation("apply_for_exemption.deadline"),), **fields)
    if today > deadline:
        return make(DeadlineResult, Outcome.DEADLINE_PASSED, citation("apply_for_exemption.deadline"),
                    contact=contact(), **fields)
    return make(DeadlineResult, Outcome.OPEN, citation("apply_for_exemption.deadline"),
                basis=(citation("apply_for_exemption.when"),), **fields)
