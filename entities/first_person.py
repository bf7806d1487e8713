"""Does a message speak of the person's own case? ("I am a PhD candidate", "jeg trakk meg", "my fee").

Used by the personal-question routing: a fee or refund question told in the first person wants
the person's own answer. One alternation of literal words (vocabulary.yml `first_person`) over
text cut at `max_chars`: linear time. English "I" is case-sensitive unless the message is known
to be English, because Norwegian "i" means "in" ("i august").
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional, Pattern, Tuple

from entities.words import alternation, words


@lru_cache(maxsize=None)
def _patterns(language: Optional[str]) -> Tuple[Pattern, ...]:
    table = words()["first_person"]
    bare_i = {"I"}
    en = [w for w in table["en"] if w not in bare_i]
    nb = [w for w in table["nb"] if w not in ("æ",)]  # "æ" alone is too often a typo: dialect only if nb
    if language == "en":
        return (re.compile(rf"(?<![\w'’])(?:{alternation(en + ['I'])})(?![\w'’])", re.IGNORECASE),)
    if language == "nb":
        return (re.compile(rf"(?<![\w'’])(?:{alternation(table['nb'])})(?![\w'’])", re.IGNORECASE),)
    return (re.compile(rf"(?<![\w'’])(?:{alternation(en + nb)})(?![\w'’])", re.IGNORECASE),
            re.compile(r"(?<![\w'’])I(?![\w'’])"))


def speaks_of_self(text: Optional[str], language: Optional[str] = None) -> bool:
    text = (text or "")[: words()["max_chars"]]
    return any(p.search(text) for p in _patterns(language if language in ("en", "nb") else None))
