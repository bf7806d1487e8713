"""FAQ catalogue look-ups for the actions: titles for buttons, contacts for hand-over."""
from __future__ import annotations

from typing import Optional

from content import faq_topics

FEE_TOPICS = {"fees", "exemptions", "refunds"}
# Whom to send a person to when nothing closer is known: the programme's student advisers.
DEFAULT_CONTACT = "programme"
FEE_CONTACT = "fees"


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


def contact_of(key: Optional[str]) -> str:
    """The contact (content/faq_topics.yml `contact`) for an FAQ key; the advisers if unknown."""
    if not key or key not in faq_topics():
        return DEFAULT_CONTACT
    return faq_topics()[key].get("contact") or DEFAULT_CONTACT


def handover_response(contact: str) -> str:
    """The hand-over answer that names a contact: utter_handover_<contact>."""
    return f"utter_handover_{contact}"
