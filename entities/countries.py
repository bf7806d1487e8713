"""Which country a person means: free text in English or Norwegian -> ISO 3166 alpha-2 code.

"Germany", "Tyskland", "German", "tysk", "svensk statsborger", "from China", "I'm a US citizen".
Names come from pycountry (English) and its Norwegian Bokmål gettext catalogue; aliases and
nationality words from entities/countries.yml. `country_name` is the name responses show.
"""
from __future__ import annotations

import gettext
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Pattern, Tuple

import pycountry

from entities.words import alternation, words

LANGUAGES = ("en", "nb")


def _table() -> dict:
    return words("countries.yml")


@lru_cache(maxsize=None)
def _norwegian():
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nb"])


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _clean(name: str) -> Optional[str]:
    """Drop parenthesised parts; names with a comma ("Korea, Republic of") are not how people write."""
    name = re.sub(r"\s*\([^()]*\)", "", name).strip()
    return None if "," in name or not name else name


def _official_names(country, language: str) -> List[str]:
    names = [getattr(country, a, None) for a in ("name", "common_name", "official_name")]
    if language == "nb":
        names = [_norwegian().gettext(n) for n in names if n]
    return [c for c in (_clean(n) for n in names if n) if c]


@dataclass(frozen=True)
class CountryTerm:
    phrase: str
    code: str
    kind: str  # "name" or "demonym"
    case_sensitive: bool = False


@lru_cache(maxsize=None)
def country_terms(language: str) -> Tuple[CountryTerm, ...]:
    """Every phrase that names a country or its people in `language`, accent-free variants included."""
    table = _table()
    raw: List[Tuple[str, str, str]] = []
    for country in pycountry.countries:
        raw += [(n, country.alpha_2, "name") for n in _official_names(country, language)]
    for code, names in table["aliases"].items():
        raw += [(n, code, "name") for n in names.get(language, [])]
    for code, demonyms in table["demonyms"].items():
        for word in demonyms.get(language, []):
            raw.append((word, code, "demonym"))
            if language == "nb" and word.endswith("sk"):
                raw.append((word + "e", code, "demonym"))  # "indiske statsborgere"
    excluded, exact = set(table["excluded"]), set(table["case_sensitive"])
    terms = {}
    for phrase, code, kind in raw:
        for variant in {phrase, _strip_accents(phrase)}:
            if variant not in excluded:
                terms.setdefault(variant.lower() if variant not in exact else variant,
                                 CountryTerm(variant, code, kind, variant in exact))
    return tuple(terms.values())


@lru_cache(maxsize=None)
def not_citizenship_after(language: Optional[str]) -> frozenset:
    """Words after which a nationality word is a language or a degree ("Norwegian course")."""
    table = _table()["not_citizenship_after"]
    return frozenset(w for lang in _languages(language) for w in table[lang])


def _languages(language: Optional[str]) -> Tuple[str, ...]:
    return (language,) if language in LANGUAGES else LANGUAGES


@lru_cache(maxsize=None)
def _matchers(language: Optional[str]) -> Tuple[Tuple[Pattern, Dict[str, CountryTerm]], ...]:
    terms = [t for lang in _languages(language) for t in country_terms(lang)]
    matchers = []
    for sensitive in (False, True):
        lookup = {(t.phrase if sensitive else t.phrase.lower()): t for t in terms if t.case_sensitive == sensitive}
        flags = 0 if sensitive else re.IGNORECASE
        matchers.append((re.compile(rf"(?<!\w)(?:{alternation(lookup)})(?![\w-])", flags), lookup))
    return tuple(matchers)


def find_countries(text: str, language: Optional[str] = None) -> List[Tuple[int, int, str, CountryTerm]]:
    """(start, end, matched text, term) for each country mention, left to right, longest first."""
    stop = not_citizenship_after(language)
    text = text.replace("\u2019", "'")  # typographic apostrophe, same length: offsets hold
    found = []
    for pattern, lookup in _matchers(language):
        for m in pattern.finditer(text):
            term = lookup.get(m.group(0)) or lookup[m.group(0).lower()]
            following = re.match(r"\W*(\w+)", text[m.end():])
            if term.kind == "demonym" and following and following.group(1).lower() in stop:
                continue
            found.append((m.start(), m.end(), m.group(0), term))
    chosen: list = []
    for item in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
        if all(item[1] <= c[0] or item[0] >= c[1] for c in chosen):
            chosen.append(item)
    return sorted(chosen, key=lambda f: f[0])


def resolve_country(text: str, language: Optional[str] = None) -> Optional[str]:
    """The ISO alpha-2 code of the first country named in `text`, or None."""
    found = find_countries(text or "", language)
    return found[0][3].code if found else None


def country_name(code: str, language: str = "en") -> str:
    """The country's short name in English or Norwegian, for responses.

    Norwegian: the first Norwegian alias in countries.yml ("USA"), else pycountry's catalogue.
    """
    country = pycountry.countries.get(alpha_2=code.upper())
    name = getattr(country, "common_name", None) or country.name
    if language != "nb":
        return name
    aliases = _table()["aliases"].get(country.alpha_2, {}).get("nb")
    return aliases[0] if aliases else _norwegian().gettext(name)
