"""Where the personal data is, from the environment and the endpoints file.

RETENTION_DAYS (default 90), ENDPOINTS (default endpoints.yml), TRACKER_DB (SQLite file,
overrides the endpoints file's `db`), MAIL_STATE_DB (default mail-state.db), LOG_DIR
(default logs). Relative paths are taken from the working directory, as Rasa does.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

import yaml

DEFAULT_RETENTION_DAYS = 90
# ${NAME} in the endpoints file, as Rasa expands it. No nested quantifiers: linear time.
ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class SettingsError(ValueError):
    """A setting that cannot be used; the message says which and why."""


@dataclass
class Settings:
    retention_days: float
    endpoints_file: Path
    tracker_store: Optional[Dict[str, Any]]  # the endpoints file's `tracker_store`, expanded
    tracker_db: Optional[Path]  # TRACKER_DB, if set
    mail_state_db: Path
    log_dir: Path
    environ: Mapping[str, str] = field(default_factory=dict)

    @property
    def retention_seconds(self) -> float:
        return self.retention_days * 86400


def expand(value: Any, environ: Mapping[str, str]) -> Any:
    """Replaces ${NAME} with the variable's value; a missing variable is an error (as in Rasa)."""
    if isinstance(value, dict):
        return {key: expand(item, environ) for key, item in value.items()}
    if isinstance(value, list):
        return [expand(item, environ) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match: "re.Match[str]") -> str:
        name = match.group(1)
        if name not in environ:
            raise SettingsError(f"the endpoints file uses ${{{name}}}, but {name} is not set")
        return environ[name]

    return ENV_REFERENCE.sub(replace, value)


def retention_days(environ: Mapping[str, str]) -> float:
    raw = environ.get("RETENTION_DAYS", "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = float(raw)
    except ValueError:
        raise SettingsError(f"RETENTION_DAYS must be a number of days, not {raw!r}") from None
    if not 0 < days <= 36500:
        raise SettingsError(f"RETENTION_DAYS must be more than 0 and at most 36500, not {raw!r}")
    return days


def load(environ: Optional[Mapping[str, str]] = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    endpoints_file = Path(environ.get("ENDPOINTS") or "endpoints.yml")
    tracker_store: Optional[Dict[str, Any]] = None
    if endpoints_file.is_file():
        try:
            endpoints = yaml.safe_load(endpoints_file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise SettingsError(f"{endpoints_file} is not valid YAML: {error}") from None
        if not isinstance(endpoints, dict):
            raise SettingsError(f"{endpoints_file} is not a mapping of endpoints")
        if isinstance(endpoints.get("tracker_store"), dict):
            tracker_store = expand(endpoints["tracker_store"], environ)
    elif environ.get("ENDPOINTS"):
        raise SettingsError(f"ENDPOINTS={endpoints_file}: no such file")
    tracker_db = Path(environ["TRACKER_DB"]) if environ.get("TRACKER_DB") else None
    return Settings(
        retention_days=retention_days(environ),
        endpoints_file=endpoints_file,
        tracker_store=tracker_store,
        tracker_db=tracker_db,
        mail_state_db=Path(environ.get("MAIL_STATE_DB") or "mail-state.db"),
        log_dir=Path(environ.get("LOG_DIR") or "logs"),
        environ=environ,
    )
