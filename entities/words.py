"""The word lists of `entities/` (vocabulary.yml, countries.yml, date_words.yml), read once."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml

HERE = Path(__file__).parent


@lru_cache(maxsize=None)
def words(name: str = "vocabulary.yml") -> Dict[str, Any]:
    with open(HERE / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def alternation(phrases) -> str:
    """A regex alternation of literal phrases, longest first (so "i morgen" beats "i")."""
    import re
    return "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
