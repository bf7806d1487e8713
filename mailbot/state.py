"""What happened to each message, by Message-ID, in SQLite: the worker's memory across crashes.

States (each change is committed before the next side effect):
  retry     a transient failure (assistant or SMTP down); tried again next poll
  sending   recorded *before* SMTP, with the reply's Message-ID and text
  sent      SMTP accepted the reply; the original is not marked yet
  drafting  recorded before the draft is appended to the Drafts folder
  answered / drafted / skipped / failed   final: never processed again

Privacy (for privacy/): `purge_older_than`, `export_for` and `erase_for`. A removed record
leaves only a one-way hash of its Message-ID (table `forgotten`) and its UIDs marked done, so
the worker never takes the message for new and answers it again; the file is then vacuumed
with secure_delete on, so the removed text is overwritten, not just unlinked.
"""
from __future__ import annotations

import hashlib
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
  recipient TEXT NOT NULL DEFAULT '',
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
CREATE TABLE IF NOT EXISTS forgotten (
  key_hash TEXT PRIMARY KEY,
  at REAL NOT NULL
);
"""
# After the migrations (an old database gets the recipient column first).
INDEXES = """
CREATE INDEX IF NOT EXISTS messages_recipient ON messages(recipient, state, updated);
CREATE INDEX IF NOT EXISTS messages_updated ON messages(state, updated);
"""
FORGOTTEN_PREFIX = "forgotten:"  # uids.message_id of a removed record


def key_hash(message_id: str) -> str:
    return hashlib.sha256(message_id.encode("utf-8", "surrogatepass")).hexdigest()


class State:
    def __init__(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), timeout=30)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")  # a committed "sending" survives a power cut
        # Deleted records are overwritten with zeros, not left in free pages of the file.
        self.conn.execute("PRAGMA secure_delete=ON")
        with self.conn:
            self.conn.executescript(SCHEMA)
            self._migrate()
            self.conn.executescript(INDEXES)

    def _migrate(self) -> None:
        """Databases written before the recipient column: add it, filled from the stored reply."""
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(messages)")}
        if "recipient" in columns:
            return
        self.conn.execute("ALTER TABLE messages ADD COLUMN recipient TEXT NOT NULL DEFAULT ''")
        rows = self.conn.execute("SELECT message_id, reply_json FROM messages WHERE reply_json IS NOT NULL")
        for message_id, reply_json in rows.fetchall():
            try:
                to = str(json.loads(reply_json).get("to") or "")
            except (ValueError, AttributeError):
                continue
            self.conn.execute("UPDATE messages SET recipient = ? WHERE message_id = ?", (to, message_id))

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
                if reply.get("to"):
                    updates["recipient"] = reply["to"]
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
            "SELECT u.uid FROM uids u LEFT JOIN messages m USING (message_id) WHERE u.folder = ? "
            f"AND u.uidvalidity = ? AND (m.state IN ({','.join('?' * len(FINAL))}) OR u.message_id LIKE ?)",
            (folder, uidvalidity, *FINAL, FORGOTTEN_PREFIX + "%"))
        return {str(r[0]) for r in rows}

    def is_forgotten(self, message_id: str) -> bool:
        """Was this message's record removed (purged or erased)? Then it is not handled again."""
        row = self.conn.execute("SELECT 1 FROM forgotten WHERE key_hash = ?", (key_hash(message_id),)).fetchone()
        return row is not None

    def in_progress(self) -> List[Dict[str, Any]]:
        rows = self.conn.execute(
            f"SELECT message_id FROM messages WHERE state IN ({','.join('?' * len(IN_PROGRESS))})", IN_PROGRESS)
        return [self.get(r[0]) for r in rows.fetchall()]

    def automatic_replies_since(self, address: Optional[str], seconds: float) -> int:
        """Automatic replies written to `address` (None: to anyone) in the last `seconds`.
        Records from before the recipient column count by their sender."""
        since = time.time() - seconds
        if address is None:
            row = self.conn.execute("SELECT COUNT(*) FROM messages WHERE state IN (?, ?, ?) AND updated > ?",
                                    (ANSWERED, SENT, SENDING, since)).fetchone()
        else:
            row = self.conn.execute(
                "SELECT COUNT(*) FROM messages WHERE (lower(recipient) = lower(?) OR (recipient = '' AND "
                "lower(sender) = lower(?))) AND state IN (?, ?, ?) AND updated > ?",
                (address, address, ANSWERED, SENT, SENDING, since)).fetchone()
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

    # -- privacy hooks (privacy/ calls these) ---------------------------------------------------
    def _forget(self, message_ids: List[str]) -> int:
        """Remove these records; keep a hash of each id and their UIDs marked done (no reprocessing)."""
        now = time.time()
        with self.conn:
            for message_id in message_ids:
                tombstone = FORGOTTEN_PREFIX + key_hash(message_id)
                self.conn.execute("INSERT OR REPLACE INTO forgotten VALUES (?, ?)", (key_hash(message_id), now))
                self.conn.execute("UPDATE uids SET message_id = ? WHERE message_id = ?", (tombstone, message_id))
                self.conn.execute("DELETE FROM messages WHERE message_id = ?", (message_id,))
        self._scrub()
        return len(message_ids)

    def _scrub(self) -> None:
        """Rewrite the file so removed text is gone from it, and empty the write-ahead log."""
        self.conn.execute("PRAGMA secure_delete=ON")
        self.conn.execute("VACUUM")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def purge_older_than(self, seconds: float) -> int:
        """Remove finished records last updated more than `seconds` ago; returns how many.
        Unfinished ones (retry, sending, sent, drafting) stay: the worker still needs them."""
        rows = self.conn.execute(
            f"SELECT message_id FROM messages WHERE updated < ? AND state IN ({','.join('?' * len(FINAL))})",
            (time.time() - seconds, *FINAL)).fetchall()
        return self._forget([r[0] for r in rows])

    def _records_for(self, address: str) -> List[str]:
        rows = self.conn.execute(
            "SELECT message_id FROM messages WHERE lower(sender) = lower(?) OR lower(recipient) = lower(?) "
            "ORDER BY created", (address.strip(), address.strip())).fetchall()
        return [r[0] for r in rows]

    def export_for(self, address: str) -> List[Dict[str, Any]]:
        """Every record whose sender or reply recipient is `address` (case-insensitive), as dicts
        (the stored reply parsed, under "reply")."""
        if not address or not address.strip():
            return []
        records = [self.get(message_id) for message_id in self._records_for(address)]
        for record in records:
            record.pop("reply_json", None)
        return records

    def erase_for(self, address: str) -> int:
        """Remove every record whose sender or reply recipient is `address`; returns how many."""
        if not address or not address.strip():
            return 0
        return self._forget(self._records_for(address))
