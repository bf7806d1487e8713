"""The fee data cannot drift from the page, and the code holds no figure of its own.

- every `source:` sentence of fees/data/fees.yml is on the fee page;
- every number and date in fees.yml is on the page (modulo spaces, commas, ",-" and "tre" = 3),
  except the few under `conventions:`, which must say why and must *not* be on the page;
- no fee figure is typed in fees/ or entities/ code, and neither imports Rasa;
- the country tables (fees.yml, entities/countries.yml) are valid ISO codes and the nationality
  words cover EU/EEA/Switzerland and 60+ other countries.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pycountry
import pytest

from entities.words import words
from fees.facts import load

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
PAGE = (SEEDS / "004_02c10f2196cfd3ea.txt").read_text(encoding="utf-8")
README = (SEEDS / "README.md").read_text(encoding="utf-8")
DATA = load()
NUMBER_WORDS = {"en": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5}  # as the page may write them
CODE_DIRS = [ROOT / "fees", ROOT / "entities"]
DATE_TEXT = re.compile(r"^\d{1,2}\. [a-zæøå]+( \d{4})?$")


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def walk(node, path=()):
    """(path, value) for every scalar of a YAML tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, path + (str(key),))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, path + (str(i),))
    else:
        yield path, node


def page_numbers() -> set:
    text = re.sub(r"(?<=\d) (?=\d{3}\b)", "", PAGE)  # "254 950" -> "254950"
    numbers = {int(n) for n in re.findall(r"\d+", text)}
    words = set(re.findall(r"\w+", PAGE.lower()))
    return numbers | {n for w, n in NUMBER_WORDS.items() if w in words}


SOURCES = [(".".join(p[:-1] if p[-1] == "source" else p[:-2]), v) for p, v in walk(DATA)
           if "source" in p[-2:] and isinstance(v, str)]
NUMBERS = [(".".join(p), v) for p, v in walk(DATA)
           if isinstance(v, (int, float)) and not isinstance(v, bool) and p[0] != "conventions"]
DATES = [(".".join(p), v) for p, v in walk(DATA) if isinstance(v, str) and DATE_TEXT.match(v)]


@pytest.mark.parametrize("rule, sentence", SOURCES, ids=[f"{r}: {s[:40]}" for r, s in SOURCES])
def test_every_source_sentence_is_on_the_page(rule, sentence):
    assert collapse(sentence) in collapse(PAGE)


@pytest.mark.parametrize("path, number", NUMBERS, ids=[p for p, _ in NUMBERS])
def test_every_number_is_on_the_page(path, number):
    assert number in page_numbers()


@pytest.mark.parametrize("path, text", DATES, ids=[p for p, _ in DATES])
def test_every_date_is_written_as_on_the_page(path, text):
    assert text in collapse(PAGE)


def test_there_is_a_number_and_a_date_to_check():
    assert len(NUMBERS) >= 12 + 3 and len(DATES) >= 4  # the price list, the deadlines


@pytest.mark.parametrize("name", sorted(DATA["conventions"]))
def test_a_convention_says_why_and_is_really_not_on_the_page(name):
    entry = DATA["conventions"][name]
    assert entry["reason"] and entry["source"]
    assert entry["value"] not in page_numbers(), "on the page now: move it out of conventions"


def test_the_programme_mapping_quotes_the_readme():
    programme = DATA["programmes"]["industrial_ecology"]
    assert programme["category"] == "C"
    assert collapse(programme["reason"]) in collapse(README)


@pytest.mark.parametrize("category", sorted(DATA["categories"]))
def test_every_category_has_its_description_in_both_languages(category):
    entry = DATA["categories"][category]
    assert f"Kategori {category} ({entry['nb']})" in collapse(PAGE)
    assert entry["en"] and set(entry) >= {"bachelor", "master", "source"}


def test_the_law_date_reads_as_on_the_page():
    from fees.dates import page_date
    law = DATA["introduction"]["law_adopted"]["date"]
    day, month, year = law.split()
    assert page_date(f"{day} {month}", int(year)) == date(2023, 6, 9)


# --- countries ---------------------------------------------------------------------------

def test_eu_eea_and_switzerland_are_31_valid_countries():
    table = DATA["countries"]["eu_eea_switzerland"]
    codes = table["eu"] + table["eea_efta"] + table["switzerland"]
    assert (len(table["eu"]), len(codes), len(set(codes))) == (27, 31, 31)
    assert all(pycountry.countries.get(alpha_2=c) for c in codes)


def test_every_code_in_the_country_tables_is_an_iso_code():
    table, vocabulary = DATA["countries"], words("countries.yml")
    codes = set(vocabulary["aliases"]) | set(vocabulary["demonyms"]) | set(table["territories_uncovered"]["codes"])
    assert {c for c in codes if not pycountry.countries.get(alpha_2=c)} == set()


def test_demonyms_cover_eu_eea_switzerland_and_60_more_countries_in_both_languages():
    table = DATA["countries"]
    demonyms = words("countries.yml")["demonyms"]
    members = set(table["eu_eea_switzerland"]["eu"] + table["eu_eea_switzerland"]["eea_efta"] + ["CH"])
    assert members <= set(demonyms)
    assert len(set(demonyms) - members) >= 60
    assert all(words.get("en") and words.get("nb") for words in demonyms.values())


# --- the code ------------------------------------------------------------------------------

def code_files():
    return sorted(p for d in CODE_DIRS for p in d.rglob("*.py"))


def test_no_rasa_import_in_fees_or_entities():
    for path in code_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "rasa" or n.startswith(("rasa.", "rasa_sdk")) for n in names), path


def test_importing_fees_and_entities_loads_no_rasa():
    script = "import sys, fees, entities; print(sorted(m for m in sys.modules if m.split('.')[0] in ('rasa', 'rasa_sdk')))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_no_fee_figure_is_typed_in_code():
    figures = {v for _, v in NUMBERS if v >= 10} | {e["value"] for e in DATA["conventions"].values()}
    for path in code_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                    and not isinstance(node.value, bool):
                assert node.value not in figures, f"{path.name}:{node.lineno} types {node.value}"


@pytest.mark.parametrize("path", code_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 200
