"""The mail worker's state (mail-state.db) through `python -m privacy`: export, erase and
purge call mailbot.state's purge_older_than / export_for / erase_for, and the deleted records
are gone from the file's bytes."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from mailbot.state import ANSWERED, DRAFTED, State
from privacy_helpers import output_json, raw_bytes, run_privacy

PERSON = "zq@example.org"


def mail_state(path: Path) -> Path:
    state = State(path)
    state.set("<q1@example.org>", ANSWERED, sender=PERSON, subject="Zorblax asks about fees",
              reply={"message_id": "<reply-1@bot>", "text": "answer for Zorblax"})
    state.set("<q2@example.org>", DRAFTED, sender=PERSON, subject="Zorblax again", detail="draft <draft-7@bot>")
    state.set("<other@example.org>", ANSWERED, sender="other@example.org", subject="Someone else",
              reply={"message_id": "<reply-2@bot>", "text": "answer"})
    state.set("<old@example.org>", DRAFTED, sender="old@example.org", subject="Ancient Vellamo question")
    state.close()
    with sqlite3.connect(str(path)) as connection:  # one record from 200 days ago
        old = time.time() - 200 * 86400
        connection.execute("UPDATE messages SET created = ?, updated = ? WHERE message_id = ?",
                           (old, old, "<old@example.org>"))
    return path


def settings(tmp_path: Path) -> dict:
    return {"MAIL_STATE_DB": str(mail_state(tmp_path / "mail-state.db")), "TRACKER_DB": str(tmp_path / "absent.db"),
            "ENDPOINTS": "", "LOG_DIR": str(tmp_path / "logs")}


def test_export_and_erase_one_address(tmp_path):
    env = settings(tmp_path)
    exported = output_json(run_privacy(["export", PERSON], env))
    text = str(exported["mail_state"])
    assert "<q1@example.org>" in text and "<q2@example.org>" in text and "<reply-1@bot>" in text
    assert "other@example.org" not in text and "Someone else" not in text

    erased = output_json(run_privacy(["erase", PERSON], env))
    assert erased["mail_state"]  # says what it removed
    assert "<q1@example.org>" not in str(output_json(run_privacy(["export", PERSON], env))["mail_state"])
    stored = raw_bytes(Path(env["MAIL_STATE_DB"]))
    assert PERSON.encode() not in stored and b"Zorblax" not in stored
    assert b"other@example.org" in stored  # nobody else's records


def test_purge_removes_old_mail_records(tmp_path):
    env = settings(tmp_path)
    result = run_privacy(["purge"], env)
    assert result.returncode == 0, result.stderr
    assert "mail-state.db): 1 records removed" in result.stdout
    stored = raw_bytes(Path(env["MAIL_STATE_DB"]))
    assert b"Vellamo" not in stored and b"old@example.org" not in stored
    assert PERSON.encode() in stored  # recent records stay
