"""The blank spaCy pipelines (no pretrained model is ever loaded), built once per language."""
from __future__ import annotations

from functools import lru_cache
from typing import Tuple

import spacy
from spacy.matcher import Matcher
from spacy.util import compile_infix_regex

from entities.patterns import matcher_patterns, ruler_patterns

LANGUAGES = ("en", "nb")
# Split "7.5-credit" / "7,5-studiepoengs" after the number (Norwegian keeps them as one token).
NUMBER_HYPHEN_WORD = r"(?<=[0-9])[-–](?=[^\W\d_])"


@lru_cache(maxsize=len(LANGUAGES))
def pipeline(language: str) -> Tuple["spacy.language.Language", Matcher]:
    """`spacy.blank(language)` with an EntityRuler for names, and a Matcher for numbers."""
    nlp = spacy.blank(language)
    infixes = list(nlp.Defaults.infixes) + [NUMBER_HYPHEN_WORD]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    ruler = nlp.add_pipe("entity_ruler", config={"validate": True})
    ruler.add_patterns(ruler_patterns(nlp, language))
    matcher = Matcher(nlp.vocab, validate=True)
    for label, patterns in matcher_patterns(nlp, language).items():
        matcher.add(label, patterns)
    return nlp, matcher
