"""The fee rules answer every situation of tests/fees/cases.yml as the fee page says."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from fees import (annual_fee, credits_fee, exemption_application, fee_for, format_nok, refund_for,
                  semester_fee, who_pays)
from fees.facts import fact, source_text
from fees.liability import Situation, began_before_fees

HERE = Path(__file__).parent
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "004_02c10f2196cfd3ea.txt"
CASES = yaml.safe_load((HERE / "cases.yml").read_text(encoding="utf-8"))
SITUATION_FIELDS = set(Situation.__dataclass_fields__)


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def situation_call(function):
    """fee_for / who_pays take a Situation: split its fields from the other arguments."""
    def call(**args):
        situation = Situation(**{k: v for k, v in args.items() if k in SITUATION_FIELDS})
        rest = {k: v for k, v in args.items() if k not in SITUATION_FIELDS}
        return function(situation, **rest)
    return call


CALLS = {
    "fee_for": situation_call(fee_for),
    "who_pays": situation_call(who_pays),
    "annual_fee": annual_fee,
    "semester_fee": semester_fee,
    "credits_fee": credits_fee,
    "refund_for": refund_for,
    "exemption_application": exemption_application,
}


def money(value):
    return None if value is None else Decimal(str(value))


def run(case):
    (name, args), = case["call"].items()
    return CALLS[name](**args)


@pytest.mark.parametrize("case", CASES, ids=[c["says"] for c in CASES])
def test_case(case):
    result = run(case)
    expect = case["expect"]
    assert result.outcome == expect["outcome"]
    if "amount" in expect:
        assert result.amount == money(expect["amount"])
    if "rule" in expect:
        assert result.rule_id == expect["rule"]
    for key in ("kept",):
        if key in expect:
            assert getattr(result, key) == money(expect[key])
    for key in ("contact", "days_left", "deadline", "bank_fees_deducted", "decided_by"):
        if key in expect:
            assert getattr(result, key) == expect[key]
    if "missing" in expect:
        assert list(result.missing) == expect["missing"]
    if "candidates" in expect:
        assert [[r, a] for r, a in result.candidates] == [[r, money(a)] for r, a in expect["candidates"]]
    for key in ("basis", "notes"):
        assert set(expect.get(key, [])) <= {c.rule_id for c in getattr(result, key)}
    for language in ("en", "nb"):
        if language in expect:
            assert format_nok(result.amount, language) == expect[language]


@pytest.mark.parametrize("case", CASES, ids=[c["says"] for c in CASES])
def test_case_rests_on_a_sentence_of_the_page(case):
    assert collapse(case["seed"]) in collapse(SEED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["says"] for c in CASES])
def test_result_cites_its_rule_from_the_data_file(case):
    result = run(case)
    assert result.source == source_text(fact(result.rule_id))
    assert result.source_url.startswith("https://www.ntnu.")
    for citation in result.basis + result.notes:
        assert citation.source == source_text(fact(citation.rule_id))


def test_never_an_amount_without_a_covered_outcome():
    for case in CASES:
        result = run(case)
        if result.outcome in ("uncovered", "ambiguous", "apply_for_exemption", "needs_info"):
            assert result.amount is None, case["says"]
        if result.outcome in ("uncovered", "ambiguous"):
            assert result.contact == "opptak@ntnu.no", case["says"]


@pytest.mark.parametrize("year, season, before", [
    (2022, "autumn", True),
    (2023, "spring", True),
    (2023, "autumn", False),
    (2024, "spring", False),
])
def test_a_programme_begun_before_autumn_2023_is_before_the_fee(year, season, before):
    # "Har påbegynt ditt studieprogram før høstsemesteret 2023."
    assert began_before_fees(year, season) is before


def test_the_one_august_decision_is_written_in_the_data_file():
    # "før 1. august" / "etter 1. august": 1 August itself is in neither sentence.
    assert fact("refunds.withdrawal.on_august_1")["decision"] == "ambiguous"


def test_an_unknown_joint_programme_is_an_error_not_an_exemption():
    with pytest.raises(ValueError):
        who_pays(Situation(citizenships="IN", joint_master="some_other_programme"))


@pytest.mark.parametrize("call", [
    lambda: annual_fee("master", category="C", share_percent=-10),
    lambda: credits_fee(-7.5, "master", category="C"),
    lambda: refund_for("withdrawal", None, paid=-1),
    lambda: refund_for("udi_refusal", None, paid=100, bank_fees=200),
])
def test_negative_inputs_are_refused(call):
    with pytest.raises(ValueError):
        call()
