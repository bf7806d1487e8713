"""Keeps what people write out of the servers' logs.

Rasa 3.6 logs some events with structlog, rendered as one JSON object per line when the
output is not a terminal (always so for `make run`'s log files); a few of them carry the
user's message (`rest.message.received.failure` / `.timeout`: `text=`), and an exception's
JSON traceback lists every frame's local variables, the message among them. Rasa's own
anonymisation hook is a Rasa Pro plugin, so nothing is removed here by default.

`install()` sets a log record factory: every record of the process, from any logger,
passes through `redact_message` when it is made, before any handler or filter (handlers
cannot be relied on: Rasa replaces the console handler with coloredlogs after reading
the logging config). It is started from the logging config file (`logging.yml`,
`rasa run --logging-config-file logging.yml`, same for `rasa run actions`) as a filter
factory, the one hook dictConfig gives for running code.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any

REDACTED = "[redacted]"
# The event keys Rasa itself treats as personal (rasa/utils/log_utils.py `_anonymizer`), and
# `locals` (structlog's traceback frames). Ids, intents, action names are kept.
PERSONAL_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states",
    "old_states", "successes", "current_entity", "next_entity", "states", "entity",
    "token_text", "user_message", "json_message", "locals", "metadata", "entities", "slots",
})
MAX_SCANNED = 100_000  # longer messages are cut before the e-mail pattern runs on them
# An e-mail address. Linear time: the lookbehind lets a match start only at the beginning of
# a run of address characters, every quantifier is bounded, and the parts are separated by
# characters (@, .) that the neighbouring classes do not contain.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")


def mask_emails(text: str) -> str:
    if len(text) > MAX_SCANNED:
        text = text[:MAX_SCANNED] + " [cut]"
    return EMAIL.sub("[e-mail]", text)


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: REDACTED if key in PERSONAL_KEYS and value[key] not in (None, "") else _redact(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_redact(item) for item in value]
    if isinstance(value, str):
        return mask_emails(value)
    return value


def redact_message(msg: Any) -> Any:
    """A structlog JSON line with its personal keys replaced; any text with e-mails masked."""
    if not isinstance(msg, str):
        return msg
    stripped = msg.lstrip()
    if stripped.startswith("{") and stripped.rstrip().endswith("}"):
        try:
            event = json.loads(stripped)
        except ValueError:
            event = None
        if isinstance(event, dict):
            return json.dumps(_redact(event), ensure_ascii=False, default=str)
    return mask_emails(msg)


_installed = False


def install() -> None:
    """Makes every log record of this process go through redact_message (once)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.msg = redact_message(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_emails(a) if isinstance(a, str) else a for a in record.args)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


class RedactingFilter(logging.Filter):
    """The filter the logging config names: installing the factory is what it is for."""

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        install()

    def filter(self, record: logging.LogRecord) -> bool:
        return True
