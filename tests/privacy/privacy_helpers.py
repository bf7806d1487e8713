"""Helpers of the privacy tests: tracker stores written by Rasa's own SQLTrackerStore,
the `python -m privacy` command, and raw database bytes."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400.0
OLD = time.time() - 200 * DAY  # older than the default retention of 90 days
RECENT = time.time() - 2 * DAY

# sender id -> [(timestamp, user text)]; each text is distinctive, to find it in raw bytes.
CONVERSATIONS: Dict[str, List[Tuple[float, str]]] = {
    "old-sender": [(OLD, "Zorblax asked in the spring"), (OLD + 60, "Zorblax asked again")],
    "mixed-sender": [(OLD, "Quintana wrote long ago"), (RECENT, "Quintana wrote this week")],
    "new-sender": [(RECENT, "Vellamo asks about tuition fees"), (RECENT + 5, "Vellamo vellamo@example.org")],
}


def write_conversations(store, conversations: Dict[str, List[Tuple[float, str]]]) -> None:
    """Saves the conversations with Rasa's SQLTrackerStore, as the Rasa server does."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    for sender, messages in conversations.items():
        events = [ActionExecuted("action_session_start", timestamp=messages[0][0] - 1),
                  SessionStarted(timestamp=messages[0][0] - 1),
                  ActionExecuted("action_listen", timestamp=messages[0][0] - 1)]
        for stamp, text in messages:
            events += [
                UserUttered(text, {"name": "faq", "confidence": 0.9}, timestamp=stamp),
                BotUttered(f"answer to: {text}", timestamp=stamp + 1),
                ActionExecuted("action_listen", timestamp=stamp + 1),
            ]
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))


def rasa_sqlite_store(path: Path):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))


def run_privacy(args: Sequence[str], env: Dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "privacy", *args], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True, text=True, timeout=timeout,
    )


def write_endpoints(path: Path, tracker_store: Optional[dict]) -> Path:
    path.write_text(yaml.safe_dump({"tracker_store": tracker_store} if tracker_store else {}), encoding="utf-8")
    return path


def raw_bytes(db: Path) -> bytes:
    """The database file and any journal or WAL next to it, as stored on disk."""
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*") if p.is_file())


def output_json(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


