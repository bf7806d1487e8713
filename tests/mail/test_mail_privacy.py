"""Privacy hooks of the state database (for privacy/): purge, export and erase, the schema
migration for the recipient column, and that a removed record is never answered again."""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from mailbot import state as st
from mailtest import deliver, make_mail
from test_mail_safety import run

SECRET = "Mitt-hemmelige-personnummer-0101"


def raw_bytes(db: Path) -> bytes:
    """Everything SQLite keeps on disk for this database (the file and its write-ahead log)."""
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())


def make_state(tmp_path) -> st.State:
    state = st.State(tmp_path / "s.db")
    state.set("<old@x>", st.ANSWERED, sender="Kari@Example.com", recipient="kari@example.com",
              subject=SECRET, reply={"message_id": "<r1@bot>", "to": "kari@example.com", "body": SECRET})
    state.set("<old-retry@x>", st.RETRY, sender="ola@example.com", subject="retry")
    state.set("<new@x>", st.DRAFTED, sender="per@example.com",
              reply={"message_id": "<r2@bot>", "to": "kari@example.com", "body": "to Kari, from Per"})
    state.set("<other@x>", st.SKIPPED, sender="ola@example.com", subject="other")
    state.remember_uid("INBOX", 1, "5", "<old@x>")
    old = time.time() - 40 * 86400
    with state.conn:
        state.conn.execute("UPDATE messages SET updated = ? WHERE message_id IN ('<old@x>', '<old-retry@x>')", (old,))
    return state


def test_purge_removes_old_finished_records_and_their_text_from_the_file(tmp_path):
    state = make_state(tmp_path)
    state.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert SECRET.encode() in raw_bytes(tmp_path / "s.db")
    assert state.purge_older_than(30 * 86400) == 1
    assert state.get("<old@x>") is None
    assert state.get("<old-retry@x>")["state"] == st.RETRY  # unfinished: still needed
    assert {r["message_id"] for r in state.export_for("per@example.com")} == {"<new@x>"}
    assert state.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert SECRET.encode() not in raw_bytes(tmp_path / "s.db")
    # The message is not taken for new: its UID stays done, its id is remembered as a hash only.
    assert state.finished_uids("INBOX", 1) == {"5"} and state.is_forgotten("<old@x>")
    assert b"<old@x>" not in raw_bytes(tmp_path / "s.db")
    assert state.purge_older_than(30 * 86400) == 0
    state.close()


def test_export_finds_sender_and_recipient_case_insensitively(tmp_path):
    state = make_state(tmp_path)
    records = state.export_for("KARI@example.COM")
    assert sorted(r["message_id"] for r in records) == ["<new@x>", "<old@x>"]
    by_id = {r["message_id"]: r for r in records}
    assert by_id["<old@x>"]["reply"]["body"] == SECRET and "reply_json" not in by_id["<old@x>"]
    json.dumps(records)  # plain data, ready to hand over
    assert state.export_for("nobody@example.com") == [] and state.export_for("") == []
    state.close()


def test_erase_removes_every_record_of_the_address_and_nothing_else(tmp_path):
    state = make_state(tmp_path)
    assert state.erase_for("kari@EXAMPLE.com") == 2
    assert state.export_for("kari@example.com") == [] and state.get("<new@x>") is None
    assert {r["message_id"] for r in state.export_for("ola@example.com")} == {"<old-retry@x>", "<other@x>"}
    assert SECRET.encode() not in raw_bytes(tmp_path / "s.db")
    assert state.erase_for("kari@example.com") == 0 and state.erase_for("  ") == 0
    state.close()


OLD_SCHEMA = """
CREATE TABLE messages (message_id TEXT PRIMARY KEY, state TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '',
  sender TEXT NOT NULL DEFAULT '', subject TEXT NOT NULL DEFAULT '', language TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0, reply_id TEXT, reply_json TEXT, created REAL NOT NULL, updated REAL NOT NULL);
CREATE TABLE uids (folder TEXT NOT NULL, uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL,
  message_id TEXT NOT NULL, PRIMARY KEY (folder, uidvalidity, uid));
"""


def test_an_old_database_gets_the_recipient_column_from_its_replies(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
        db.execute("INSERT INTO messages (message_id, state, sender, reply_json, created, updated) VALUES "
                   "('<a@x>', 'answered', 'ola@example.com', ?, ?, ?)",
                   (json.dumps({"message_id": "<r@bot>", "to": "kari@example.com"}), time.time(), time.time()))
    state = st.State(path)
    assert [r["message_id"] for r in state.export_for("kari@example.com")] == ["<a@x>"]
    assert state.automatic_replies_since("kari@example.com", 60) == 1
    state.close()
    st.State(path).close()  # opening again: nothing to migrate, no error


def test_an_erased_message_is_not_answered_again(mail_config, smtp):
    deliver(mail_config, make_mail("Is there a maths requirement?", sender="kari@example.com"))
    assert run(mail_config) == (1, 0, 0, 0)
    state = st.State(mail_config.state_db)
    assert state.erase_for("kari@example.com") == 1
    state.close()
    assert run(mail_config) == (0, 0, 0, 0)
    assert len(smtp[1].messages) == 1
