"""What happened to each message, by Message-ID, in SQLite: the worker's memory across crashes.

States (each change is committed before the next side effect):
  retry     a transient failure (assistant or SMTP down); tried again next poll
  sending   recorded *before* SMTP, with the reply's Message-ID and text
  sent      SMTP accepted the reply; the original is not marked yet
  drafting  recorded before the draft is appended to the Drafts folder
  answered / drafted / skipped / failed   final: never processed again
"""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set

RETRY, SENDING, SENT, DRAFTING = "retry", "sending", "sent", "drafting"
ANSWERED, DRAFTED, SKIPPED, FAILED = "answered", "drafted", "skipped", "failed"
FINAL = (ANSWERED, DRAFTED, SKIPPED, FAILED)
IN_PROGRESS = (SENDING, SENT, DRAFTING)

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
  message_id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  sender TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  reply_id TEXT,
  reply_json TEXT,
  created REAL NOT NULL,
  updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_reply ON messages(reply_id);
CREATE INDEX IF NOT EXISTS messages_sender ON messages(sender, state, updated);
CREATE TABLE IF NOT EXISTS uids (
  folder TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  PRIMARY KEY (folder, uidvalidity, uid)
);
"""


class State:
    def __init__(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), timeout=30)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")  # a committed "sending" survives a power cut
        with self.conn:
            self.conn.executescript(SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def get(self, message_id: str) -> Optional[Dict[str, Any]]:
        row = self.conn.execute("SELECT * FROM messages WHERE message_id = ?", (message_id,)).fetchone()
        if row is None:
            return None
        record = dict(row)
        record["reply"] = json.loads(record["reply_json"]) if record["reply_json"] else None
        return record

    def set(self, message_id: str, state: str, *, detail: Optional[str] = None,
            reply: Optional[dict] = None, attempt: bool = False, **fields: str) -> None:
        """Create or update the message's record; committed when this returns."""
        now = time.time()
        with self.conn:
            self.conn.execute(
                "INSERT INTO messages (message_id, state, created, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(message_id) DO NOTHING", (message_id, state, now, now))
            updates = {"state": state, "updated": now, **fields}
            if detail is not None:
                updates["detail"] = detail
            if reply is not None:
                updates["reply_json"] = json.dumps(reply, ensure_ascii=False)
                updates["reply_id"] = reply["message_id"]
            assignments = ", ".join(f"{k} = ?" for k in updates)
            extra = ", attempts = attempts + 1" if attempt else ""
            self.conn.execute(f"UPDATE messages SET {assignments}{extra} WHERE message_id = ?",
                              (*updates.values(), message_id))

    def remember_uid(self, folder: str, uidvalidity: int, uid: str, message_id: str) -> None:
        with self.conn:
            self.conn.execute("INSERT OR REPLACE INTO uids VALUES (?, ?, ?, ?)",
                              (folder, uidvalidity, int(uid), message_id))

    def finished_uids(self, folder: str, uidvalidity: int) -> Set[str]:
        rows = self.conn.execute(
            "SELECT u.uid FROM uids u JOIN messages m USING (message_id) WHERE u.folder = ? "
            f"AND u.uidvalidity = ? AND m.state IN ({','.join('?' * len(FINAL))})",
            (folder, uidvalidity, *FINAL))
        return {str(r[0]) for r in rows}

    def in_progress(self) -> List[Dict[str, Any]]:
        rows = self.conn.execute(
            f"SELECT message_id FROM messages WHERE state IN ({','.join('?' * len(IN_PROGRESS))})", IN_PROGRESS)
        return [self.get(r[0]) for r in rows.fetchall()]

    def automatic_replies_since(self, sender: str, seconds: float) -> int:
        row = self.conn.execute(
            "SELECT COUNT(*) FROM messages WHERE lower(sender) = lower(?) AND state IN (?, ?, ?) AND updated > ?",
            (sender, ANSWERED, SENT, SENDING, time.time() - seconds)).fetchone()
        return int(row[0])

    def answers_automatic_reply(self, message_ids: Iterable[str]) -> bool:
        """Does the message refer to one of our automatic replies (a follow-up)?"""
        ids = [i for i in message_ids if i]
        if not ids:
            return False
        row = self.conn.execute(
            f"SELECT 1 FROM messages WHERE reply_id IN ({','.join('?' * len(ids))}) "
            "AND state IN (?, ?, ?) LIMIT 1", (*ids, ANSWERED, SENT, SENDING)).fetchone()
        return row is not None

    def counts(self) -> Dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT state, COUNT(*) FROM messages GROUP BY state")}

    def uid_for(self, message_id: str, folder: str, uidvalidity: int) -> Optional[str]:
        row = self.conn.execute(
            "SELECT uid FROM uids WHERE message_id = ? AND folder = ? AND uidvalidity = ? ORDER BY uid LIMIT 1",
            (message_id, folder, uidvalidity)).fetchone()
        return str(row[0]) if row else None
