"""The fee page's facts, read once from `fees/data/fees.yml`.

A rule's id is its dotted path in that file ("refunds.withdrawal.after_august_1");
`citation(rule_id)` gives the Norwegian sentence(s) it rests on and the page's address, so a
reader can check any answer against https://www.ntnu.no/studier/studieavgift.
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Union

import yaml

from fees.results import Citation

DATA_DIR = Path(__file__).with_name("data")
DEFAULT_SOURCE = "fee_page"


@lru_cache(maxsize=None)
def load(name: str = "fees.yml") -> Dict[str, Any]:
    """A YAML file of `fees/data/`, parsed once."""
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def fact(rule_id: str) -> Any:
    """The entry at a dotted path of fees.yml, e.g. fact("categories.C")."""
    node: Any = load()
    for key in rule_id.split("."):
        if not isinstance(node, dict) or key not in node:
            raise KeyError(f"fees.yml has no entry {rule_id!r}")
        node = node[key]
    return node


def source_text(entry: Dict[str, Any]) -> str:
    """An entry's seed sentence(s) as one string."""
    source = entry.get("source", "")
    return " ".join(source) if isinstance(source, list) else source


def source_url(key: str = DEFAULT_SOURCE) -> str:
    return load()["sources"][key]["url"]


@lru_cache(maxsize=None)
def citation(rule_id: str) -> Citation:
    entry = fact(rule_id)
    return Citation(rule_id, source_text(entry), source_url(entry.get("url", DEFAULT_SOURCE)))


def contact() -> str:
    """Where the page sends every question: "Har du spørsmål, kan du sende en e-post til opptak@ntnu.no." """
    return load()["contact"]["email"]


def nok(value: Union[int, str, Decimal]) -> Decimal:
    return Decimal(str(value))
