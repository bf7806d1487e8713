"""The word lists of `entities/` (vocabulary.yml, countries.yml, date_words.yml), read once."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable

import yaml

HERE = Path(__file__).parent


@lru_cache(maxsize=None)
def words(name: str = "vocabulary.yml") -> Dict[str, Any]:
    with open(HERE / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def alternation(phrases: Iterable[str]) -> str:
    """A regex alternation of literal phrases, longest first (so "i morgen" beats "i")."""
    return "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
