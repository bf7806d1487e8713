"""Retention, export and erasure on a SQLite tracker store written by Rasa's SQLTrackerStore."""
from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

from privacy_helpers import CONVERSATIONS, ROOT, output_json, raw_bytes, rasa_sqlite_store, run_privacy


def user_texts(events):
    return [e["data"]["text"] for e in events if e["type"] == "user"]


def test_purge_removes_what_is_older_than_the_retention(sqlite_env):
    db = Path(sqlite_env["TRACKER_DB"])
    assert b"Zorblax asked" in raw_bytes(db) and b"Quintana wrote long ago" in raw_bytes(db)

    result = run_privacy(["purge"], sqlite_env)

    assert result.returncode == 0, result.stderr
    # old-sender: 3 session events + 3 per message (9); mixed-sender: its first session and message (6).
    assert "15 events removed, 1 conversations removed whole" in result.stdout
    assert "no database, nothing stored" in result.stdout  # the mail state
    stored = raw_bytes(db)
    # secure_delete + VACUUM: the deleted text is not in the file any more, the kept text is.
    assert b"Zorblax" not in stored
    assert b"Quintana wrote long ago" not in stored
    assert b"Quintana wrote this week" in stored and b"Vellamo asks" in stored

    # Rasa still reads what is left, as a consistent tracker.
    store = rasa_sqlite_store(db)
    tracker = asyncio.run(store.retrieve("mixed-sender"))
    assert [e.text for e in tracker.events if e.type_name == "user"] == ["Quintana wrote this week"]
    assert asyncio.run(store.retrieve("old-sender")) is None
    store.engine.dispose()

    again = run_privacy(["purge"], sqlite_env)  # nothing left to remove
    assert "0 events removed, 0 conversations removed whole" in again.stdout


def test_a_shorter_retention_removes_more(sqlite_env):
    result = run_privacy(["purge"], {**sqlite_env, "RETENTION_DAYS": "1"})
    assert result.returncode == 0, result.stderr
    assert "removed whole" in result.stdout
    assert b"Vellamo" not in raw_bytes(Path(sqlite_env["TRACKER_DB"]))


def test_export_prints_everything_about_one_sender(sqlite_env):
    exported = output_json(run_privacy(["export", "new-sender"], sqlite_env))
    assert exported["who"] == "new-sender"
    events = exported["tracker_store"]["events"]
    assert user_texts(events) == [text for _, text in CONVERSATIONS["new-sender"]]
    assert {e["type"] for e in events} >= {"user", "bot", "action", "session_started"}
    assert all(e["time_utc"].endswith("Z") for e in events)
    assert exported["mail_state"] is None and exported["errors"] == []
    # Nobody else's data.
    assert "Quintana" not in str(exported) and "Zorblax" not in str(exported)


def test_erase_removes_one_sender_and_nothing_else(sqlite_env):
    db = Path(sqlite_env["TRACKER_DB"])
    erased = output_json(run_privacy(["erase", "new-sender"], sqlite_env))
    assert erased["tracker_store"]["sender_id"] == "new-sender"
    assert erased["tracker_store"]["events"] == 3 + 3 * len(CONVERSATIONS["new-sender"])
    assert b"Vellamo" not in raw_bytes(db) and b"vellamo@example.org" not in raw_bytes(db)
    assert output_json(run_privacy(["export", "new-sender"], sqlite_env))["tracker_store"]["events"] == []
    assert user_texts(output_json(run_privacy(["export", "old-sender"], sqlite_env))["tracker_store"]["events"])
    # Erasing someone unknown removes nothing and says so.
    assert output_json(run_privacy(["erase", "nobody"], sqlite_env))["tracker_store"]["events"] == 0


def test_bad_usage_gets_a_clear_message_and_exit_code_2(sqlite_env):
    for args in (["export"], ["erase", "   "], ["export", "x" * 300], ["frobnicate"], []):
        result = run_privacy(args, sqlite_env)
        assert result.returncode == 2, args
        assert "usage" in result.stderr or "WHO" in result.stderr, args
    result = run_privacy(["purge"], {**sqlite_env, "RETENTION_DAYS": "soon"})
    assert result.returncode == 2 and "RETENTION_DAYS" in result.stderr
    result = run_privacy(["purge"], {**sqlite_env, "ENDPOINTS": "/nonexistent/endpoints.yml"})
    assert result.returncode == 2 and "no such file" in result.stderr


def test_make_targets(sqlite_env):
    env = {**os.environ, **sqlite_env}
    missing = subprocess.run(["make", "-s", "export"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert missing.returncode == 2
    assert "WHO=" in missing.stderr
    exported = subprocess.run(["make", "-s", "export", "WHO=new-sender"], cwd=ROOT, env=env,
                              capture_output=True, text=True)
    assert exported.returncode == 0, exported.stderr
    assert "Vellamo asks about tuition fees" in exported.stdout
    erased = subprocess.run(["make", "-s", "erase", "WHO=new-sender"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert erased.returncode == 0 and '"events": 9' in erased.stdout
    purged = subprocess.run(["make", "-s", "purge"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert purged.returncode == 0 and "tracker store (sqlite" in purged.stdout


def test_nothing_is_created_when_nothing_is_stored(tmp_path):
    env = {"TRACKER_DB": str(tmp_path / "absent.db"), "ENDPOINTS": "", "MAIL_STATE_DB": str(tmp_path / "absent-mail.db"),
           "LOG_DIR": str(tmp_path / "no-logs")}
    result = run_privacy(["purge"], env)
    assert result.returncode == 0, result.stderr
    assert "nothing stored" in result.stdout
    assert not (tmp_path / "absent.db").exists() and not (tmp_path / "absent-mail.db").exists()
