"""The mail worker's state (`mail-state.db`), through `mailbot.state.State`'s own methods.

The mail worker owns its schema; this module only calls `purge_older_than(seconds)`,
`export_for(address)` and `erase_for(address)`. Those delete with `secure_delete` and VACUUM
the file themselves (tests/privacy/test_privacy_mail.py checks the file's bytes).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional


class Unsupported(RuntimeError):
    """This version of mailbot.state cannot do what was asked."""


def _call(path: Path, name: str, argument: Any) -> Optional[Any]:
    """`State(path).<name>(argument)`, or None when there is no mail state database (opening
    State would create an empty one)."""
    if not Path(path).is_file():
        return None
    from mailbot.state import State

    if not callable(getattr(State, name, None)):
        raise Unsupported(f"mailbot.state.State has no {name}()")
    state = State(path)
    try:
        return getattr(state, name)(argument)
    finally:
        state.close()


def purge_older_than(path: Path, seconds: float) -> Optional[Any]:
    return _call(path, "purge_older_than", seconds)


def export_for(path: Path, address: str) -> Optional[Any]:
    return _call(path, "export_for", address)


def erase_for(path: Path, address: str) -> Optional[Any]:
    return _call(path, "erase_for", address)
