"""spaCy token patterns built from the data tables (countries, levels, credits, percentages).

Every phrase is tokenised with the language's own blank tokenizer, in lower, Title and UPPER
case (tokenisation differs: "Ph.D." is one English token, "ph.d" + "." another), and matched on
LOWER; names that are also ordinary words ("Jordan", "US", "Island") on their exact spelling.
"""
from __future__ import annotations

from typing import Dict, List

from entities.countries import country_terms
from entities.words import words

NUMBER = {"TEXT": {"REGEX": r"^\d+(?:[.,]\d+)?$"}}
HYPHEN = {"ORTH": {"IN": ["-", "–"]}, "OP": "?"}


def vocabulary() -> dict:
    return words()


def phrase_patterns(nlp, phrase: str, exact: bool = False) -> List[List[dict]]:
    """Token patterns for one phrase, robust to how case changes its tokenisation."""
    if exact:
        return [[{"ORTH": t.text} for t in nlp.make_doc(phrase)]]
    patterns = []
    for variant in {phrase, phrase.lower(), phrase.title(), phrase.upper()}:
        pattern = [{"LOWER": t.lower_} for t in nlp.make_doc(variant)]
        if pattern not in patterns:
            patterns.append(pattern)
    return patterns


def ruler_patterns(nlp, language: str) -> List[dict]:
    """EntityRuler patterns: labels "country" / "country_demonym" (id = ISO code) and "level"."""
    patterns = []
    for term in country_terms(language):
        label = "country_demonym" if term.kind == "demonym" else "country"
        for p in phrase_patterns(nlp, term.phrase, term.case_sensitive):
            patterns.append({"label": label, "pattern": p, "id": term.code})
    for level, phrases in vocabulary()["levels"].items():
        for phrase in phrases[language]:
            for p in phrase_patterns(nlp, phrase):
                patterns.append({"label": "level", "pattern": p, "id": level})
    for share, phrases in vocabulary()["share_words"].items():
        for phrase in phrases[language]:
            for p in phrase_patterns(nlp, phrase):
                patterns.append({"label": "share_word", "pattern": p, "id": str(share)})
    return patterns


def _any_of(nlp, phrases: List[str]) -> List[List[dict]]:
    return [p for phrase in phrases for p in phrase_patterns(nlp, phrase)]


def matcher_patterns(nlp, language: str) -> Dict[str, List[List[dict]]]:
    """Matcher patterns: "credits" (a number and a unit), "credits_total" (N courses of X credits),
    "percentage" (a number and a percent sign or word)."""
    vocab = vocabulary()
    count = {"LOWER": {"IN": list(vocab["count_words"][language]) + [str(n) for n in range(1, 21)]}}
    course = {"LOWER": {"IN": [w.lower() for w in vocab["course_words"][language]]}}
    link = {"LOWER": {"IN": [w.lower() for w in vocab["course_links"][language]]}}
    units = _any_of(nlp, vocab["credit_units"][language])
    percent = _any_of(nlp, vocab["percent_units"][language])
    return {
        "credits": [[NUMBER, HYPHEN] + u for u in units],
        "credits_total": (
            [[count, NUMBER, HYPHEN] + u + [course] for u in units]  # two 7.5-credit courses
            + [[count, link, NUMBER, HYPHEN] + u for u in units]  # 2 x 7.5 ECTS
            + [[count, course, link, NUMBER, HYPHEN] + u for u in units]  # to emner på 7,5 stp
        ),
        "percentage": [[NUMBER] + p for p in percent] + [w + p for w in _any_of(nlp, list(vocab["share_number_words"][language])) for p in percent],
    }
