"""The assistant's content as data: the FAQ catalogue and the bilingual responses.

Plain Python (no Rasa import), used by the actions, the mail worker, the benchmark
and the tests, so that every text exists once, in `domain/` and `content/`.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOMAIN_DIR = ROOT / "domain"
FAQ_TOPICS = ROOT / "content" / "faq_topics.yml"
LANGUAGES = ("en", "nb")


def _read_yaml(path: Path):
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


@lru_cache(maxsize=1)
def faq_topics() -> Dict[str, dict]:
    """faq key -> {seed, topic, title: {en, nb}, about}."""
    return _read_yaml(FAQ_TOPICS)


def variation_language(variation: dict) -> Optional[str]:
    """'nb' for the variation conditioned on language=nb, 'en' for the default one."""
    conditions = variation.get("condition") or []
    for condition in conditions:
        if condition.get("name") == "language":
            return condition.get("value")
    return "en" if not conditions else None


@lru_cache(maxsize=1)
def responses() -> Dict[str, Dict[str, dict]]:
    """response name -> language -> variation (text, buttons...), from domain/*.yml."""
    found: Dict[str, Dict[str, dict]] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        for name, variations in (_read_yaml(path).get("responses") or {}).items():
            for variation in variations:
                language = variation_language(variation)
                if language:
                    found.setdefault(name, {})[language] = variation
    return found


def response_text(name: str, language: Optional[str]) -> Optional[str]:
    """The text of a response in 'en' or 'nb' (English when the language is unknown)."""
    variations = responses().get(name) or {}
    variation = variations.get(language if language in LANGUAGES else "en") or variations.get("en")
    return variation.get("text") if variation else None
