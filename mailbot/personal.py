"""Is a question about the writer's own situation, or sensitive? Then an adviser answers it.

Personal: a first-person word together with an own-case detail (own citizenship or
country, a date, an amount, "I withdraw", "my application", ...; countries and dates also
from the entities in the assistant's parse result). Sensitive: illness,
complaints, harassment and the like, with or without "I". The patterns are data, in
patterns.yml. Fee intents that a later model may add (`ask_personal_fee` ...) are
handled in answer.py: any intent other than `faq` and small talk goes to an adviser.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Tuple

from mailbot.decode import patterns


@lru_cache(maxsize=1)
def _compiled() -> Tuple[re.Pattern, List[re.Pattern], List[re.Pattern]]:
    p = patterns()["personal"]
    flags = re.IGNORECASE | re.UNICODE
    return (
        re.compile(p["first_person"], flags),
        [re.compile(x, flags) for x in p["own_case"]],
        [re.compile(x, flags) for x in p["sensitive"]],
    )


# Entities from the assistant's parse result (components/fee_entities.py) that make a
# first-person question an own case: "I'm American", "I withdrew on 3 October".
OWN_CASE_ENTITIES = ("country", "date")


def personal_reason(text: str, entities: Iterable[Dict[str, Any]] = ()) -> Optional[str]:
    """Why the text needs a person ("sensitive: ...", "own case: ..."), or None."""
    first_person, own_case, sensitive = _compiled()
    for pattern in sensitive:
        found = pattern.search(text)
        if found:
            return f"sensitive: {found.group(0)!r}"
    if first_person.search(text):
        for entity in entities:
            if entity.get("entity") in OWN_CASE_ENTITIES:
                return f"own case: {entity['entity']} {entity.get('value')!r}"
        for pattern in own_case:
            found = pattern.search(text)
            if found:
                return f"own case: {found.group(0)!r}"
    return None
