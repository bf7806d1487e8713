"""Turn on the Teams, Slack and Telegram channels whose secrets are in the environment.

credentials.channels.yml lists those channels as Rasa credentials blocks with `${VAR}`
placeholders. Rasa stops at a placeholder whose variable is not set, so the blocks cannot
sit in credentials.yml (`make run` must work without any platform's secrets). Instead,
scripts/stack.py calls `with_channels`, which writes a copy of the credentials file with
each block added whose every plain `${VAR}` is set, and the file unchanged otherwise:

- `${VAR}`: required; left in the copy for Rasa to fill in when it reads the file, so
  no secret is written to disk;
- `${VAR:-default}`: optional (API addresses); filled in here, with `default` when VAR
  is unset or empty.

A channel the credentials file configures itself under the same key is kept as it is.
No Rasa import: scripts/stack.py loads this module.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

import yaml

CHANNELS_FILE = Path(__file__).resolve().parents[1] / "credentials.channels.yml"
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _strings(value: Any) -> List[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


def required_variables(block: Any) -> List[str]:
    """The plain `${VAR}` names in a channel's block (those without a default)."""
    return sorted({m.group(1) for s in _strings(block) for m in VARIABLE.finditer(s) if m.group(2) is None})


def _fill_defaults(value: Any, env: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _fill_defaults(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill_defaults(item, env) for item in value]
    if isinstance(value, str):
        return VARIABLE.sub(lambda m: m.group(0) if m.group(2) is None else (env.get(m.group(1)) or m.group(2)), value)
    return value


def configured_channels(env: Mapping[str, str], channels_file: Path = CHANNELS_FILE) -> Dict[str, Any]:
    """The channels of `channels_file` whose required variables are all set in `env`."""
    if not channels_file.exists():
        return {}
    spec = yaml.safe_load(channels_file.read_text(encoding="utf-8")) or {}
    return {
        name: _fill_defaults(block, env)
        for name, block in spec.items()
        if all(env.get(variable) for variable in required_variables(block))
    }


def with_channels(
    credentials: Path, env: Mapping[str, str], directory: Path, channels_file: Path = CHANNELS_FILE
) -> Tuple[Path, List[str]]:
    """`credentials`, plus the configured channels (written to `directory` if any).

    Returns the file to give Rasa and the names of the channels added."""
    channels = configured_channels(env, channels_file)
    base = yaml.safe_load(credentials.read_text(encoding="utf-8")) or {}
    added = [name for name in channels if name not in base]
    if not added:
        return credentials, []
    base.update({name: channels[name] for name in added})
    path = directory / "credentials.channels.runtime.yml"
    path.write_text(yaml.safe_dump(base, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path, added
