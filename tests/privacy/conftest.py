"""Fixtures of the privacy tests (helpers: privacy_helpers.py)."""
from __future__ import annotations

from typing import Dict

import pytest

from privacy_helpers import CONVERSATIONS, rasa_sqlite_store, write_conversations, write_endpoints


@pytest.fixture
def sqlite_env(tmp_path) -> Dict[str, str]:
    """A SQLite tracker store with CONVERSATIONS, written by Rasa; the settings that point at it."""
    db = tmp_path / "conversations.db"
    store = rasa_sqlite_store(db)
    write_conversations(store, CONVERSATIONS)
    store.engine.dispose()
    endpoints = write_endpoints(tmp_path / "endpoints.yml", {"type": "SQL", "dialect": "sqlite", "db": str(db)})
    (tmp_path / "logs").mkdir()
    return {"ENDPOINTS": str(endpoints), "TRACKER_DB": str(db), "MAIL_STATE_DB": str(tmp_path / "mail-state.db"),
            "LOG_DIR": str(tmp_path / "logs"), "RETENTION_DAYS": "90"}


# ------------------------------------------------------------ the real stack

from pathlib import Path  # noqa: E402

from privacy_helpers import ROOT  # noqa: E402
from scripts.stack import MODEL, Stack, free_port  # noqa: E402
from tests.web.conftest import chromium_browser, open_page  # noqa: E402,F401 (the web tests' Chromium fixtures)


@pytest.fixture(scope="module")
def browser():
    """Closed after this folder's widget tests: a session-long one would break asyncio.run later."""
    yield from chromium_browser()

LOGGING_CONFIG = ROOT / "logging.yml"


class LoggedStack(Stack):
    """The stack with the logging config (logging.yml) given to Rasa, as `make run` should."""

    def rasa_command(self):
        command = super().rasa_command()
        return command if "--logging-config-file" in command else [*command, "--logging-config-file", str(LOGGING_CONFIG)]


@pytest.fixture(scope="session")
def private_stack(tmp_path_factory):
    """Action server, Rasa (with logging.yml) and the demo pages; output unbuffered so that the
    log files can be read while the servers run."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does)")
    logs = Path(tmp_path_factory.mktemp("privacy-stack-logs"))
    env = {"LOG_DIR": str(logs), "MAIL_STATE_DB": str(logs.parent / "mail-state.db"), "PYTHONUNBUFFERED": "1"}
    with LoggedStack(log_dir=logs, web_port=free_port(), extra_env=env) as stack:
        yield stack
