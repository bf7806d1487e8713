"""FAQ catalogue look-ups for the actions: titles for buttons, topics for hand-over."""
from __future__ import annotations

from typing import Optional

from content import faq_topics

FEE_TOPICS = {"fees", "exemptions", "refunds"}


def faq_key(intent_response_key: Optional[str]) -> Optional[str]:
    """'faq/fee_law' -> 'fee_law'; unknown keys -> None."""
    if not intent_response_key:
        return None
    key = intent_response_key.split("/", 1)[-1]
    return key if key in faq_topics() else None


def title(key: str, language: Optional[str]) -> str:
    titles = faq_topics()[key]["title"]
    return titles["nb"] if language == "nb" else titles["en"]


def is_fee_topic(key: Optional[str]) -> bool:
    return bool(key) and faq_topics()[key]["topic"] in FEE_TOPICS
