"""Rasa's SQL tracker store (table `events`, see rasa/core/tracker_store.py SQLTrackerStore):
delete by age, export and erase one sender's events, on SQLite and PostgreSQL.

Every change runs in short transactions of at most BATCH rows, so a running Rasa server
only waits for milliseconds. On SQLite, deleted rows are overwritten (`secure_delete`) and
the file is rebuilt (`VACUUM`): the deleted text is really gone from the file.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from privacy.settings import Settings, SettingsError

BATCH = 2000  # rows per transaction
SQLITE_BUSY_TIMEOUT_S = 30  # wait for Rasa's own short write transactions

METADATA = sa.MetaData()
# Rasa's SQLEvent, column for column (only what is read or filtered on matters here).
EVENTS = sa.Table(
    "events", METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


class Unavailable(RuntimeError):
    """The tracker store cannot be used (not SQL, or not reachable); the message says why."""


def _port(value: Any) -> Optional[int]:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SettingsError(f"tracker_store port must be a number, not {value!r}") from None


def database_url(settings: Settings) -> Optional[sa.engine.URL]:
    """The store's URL as Rasa builds it from the endpoints file; None: nothing is kept on disk."""
    store = settings.tracker_store
    if store is None:
        if settings.tracker_db is None:
            return None  # Rasa's default: the in-memory store
        store = {"type": "SQL", "dialect": "sqlite"}
    kind = str(store.get("type") or "").lower()
    if kind in ("", "in_memory", "inmemory"):
        return None if settings.tracker_db is None else sa.engine.URL.create("sqlite", database=str(settings.tracker_db))
    if kind != "sql":
        raise Unavailable(f"tracker store type {store.get('type')!r} is not supported here (only SQL)")
    dialect = str(store.get("dialect") or "sqlite")
    if dialect == "sqlite":
        return sa.engine.URL.create("sqlite", database=str(settings.tracker_db or store.get("db") or "rasa.db"))
    host = store.get("url")
    port = _port(store.get("port"))
    if host and "://" in str(host):
        return sa.engine.make_url(str(host))
    if host:  # Rasa lets the url carry the port ("db.example.org:5433")
        parsed = sa.engine.make_url(f"{dialect}://{host}")
        host, port = parsed.host or host, parsed.port or port
    return sa.engine.URL.create(
        dialect, username=store.get("username"), password=store.get("password"),
        host=host, port=port, database=store.get("db") or "rasa", query=store.get("query") or {},
    )


def describe(url: Optional[sa.engine.URL]) -> str:
    if url is None:
        return "in memory (nothing on disk)"
    if url.get_backend_name() == "sqlite":
        return f"sqlite {url.database}"
    return f"{url.get_backend_name()} {url.host or 'localhost'}:{url.port or 'default'}/{url.database}"


@dataclass
class TrackerStore:
    engine: Engine
    label: str

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @classmethod
    def open(cls, settings: Settings) -> Optional["TrackerStore"]:
        """The store, or None when nothing is kept (in memory, or the SQLite file does not exist)."""
        url = database_url(settings)
        if url is None:
            return None
        if url.get_backend_name() == "sqlite":
            if not url.database or not Path(url.database).is_file():
                return None  # never create an empty database as a side effect
            engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

            @sa.event.listens_for(engine, "connect")
            def _secure(dbapi_connection, _record) -> None:
                # Deleted rows are overwritten with zeros instead of lingering in free pages.
                dbapi_connection.execute("PRAGMA secure_delete=ON")
        else:
            schema = settings.environ.get("POSTGRESQL_SCHEMA")  # as Rasa uses it
            connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
            engine = sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        store = cls(engine, describe(url))
        try:
            with engine.connect():
                pass
        except sa.exc.SQLAlchemyError as error:
            engine.dispose()
            reason = type(getattr(error, "orig", None) or error).__name__
            raise Unavailable(f"tracker store {store.label} cannot be reached: {reason}") from None
        return store

    def close(self) -> None:
        self.engine.dispose()

    def _has_events_table(self) -> bool:
        return sa.inspect(self.engine).has_table("events")

    # ------------------------------------------------------------- deleting

    def _delete_batched(self, condition) -> int:
        """Deletes the rows matching condition, BATCH rows per transaction."""
        removed = 0
        while True:
            with self.engine.begin() as connection:
                ids = [row[0] for row in connection.execute(
                    sa.select(EVENTS.c.id).where(condition).order_by(EVENTS.c.id).limit(BATCH))]
                if not ids:
                    break
                connection.execute(EVENTS.delete().where(EVENTS.c.id.in_(ids)))
            removed += len(ids)
        return removed

    def _compact(self) -> None:
        """SQLite: rebuild the file so nothing deleted is left in it (nor in a WAL file)."""
        if not self.is_sqlite:
            return  # PostgreSQL's autovacuum reclaims the rows; see README "Security and privacy"
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM")
            if connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal":
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def purge_before(self, cutoff: float) -> Dict[str, int]:
        """Deletes every event older than cutoff (epoch seconds); a conversation whose newest
        event is older goes whole (with any events that carry no timestamp)."""
        if not self._has_events_table():
            return {"events": 0, "conversations": 0}
        with self.engine.connect() as connection:
            newest = sa.func.max(EVENTS.c.timestamp)
            old_senders = [row[0] for row in connection.execute(
                sa.select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id)
                .having(sa.or_(newest < cutoff, newest.is_(None))))]
        removed = self._delete_batched(EVENTS.c.timestamp < cutoff)
        for start in range(0, len(old_senders), 500):
            chunk = old_senders[start:start + 500]
            removed += self._delete_batched(EVENTS.c.sender_id.in_(chunk))
        if removed:
            self._compact()
        return {"events": removed, "conversations": len(old_senders)}

    # --------------------------------------------------- one person's data

    def export(self, sender_id: str) -> List[Dict[str, Any]]:
        if not self._has_events_table():
            return []
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(EVENTS).where(EVENTS.c.sender_id == sender_id).order_by(EVENTS.c.id)).mappings().all()
        return [_event(row) for row in rows]

    def erase(self, sender_id: str) -> Dict[str, Any]:
        if not self._has_events_table():
            return {"sender_id": sender_id, "events": 0}
        removed = self._delete_batched(EVENTS.c.sender_id == sender_id)
        if removed:
            self._compact()
        return {"sender_id": sender_id, "events": removed}

    def count(self) -> int:
        if not self._has_events_table():
            return 0
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(EVENTS)).scalar())


def _event(row: Any) -> Dict[str, Any]:
    try:
        data = json.loads(row["data"]) if row["data"] else None
    except ValueError:
        data = row["data"]  # kept as stored: the export shows everything, parsed or not
    stamp = row["timestamp"]
    return {
        "id": row["id"],
        "type": row["type_name"],
        "timestamp": stamp,
        "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp)) if stamp is not None else None,
        "intent": row["intent_name"],
        "action": row["action_name"],
        "data": data,
    }


def sender_ids(store: TrackerStore) -> Sequence[str]:
    """All conversation ids (for tests and operators)."""
    with store.engine.connect() as connection:
        return [row[0] for row in connection.execute(sa.select(EVENTS.c.sender_id).distinct())]
