"""Retention, export and erasure on a PostgreSQL tracker store (the scale-out setting), with
the store's settings read from an endpoints file as Rasa reads them.

Needs the PostgreSQL server on 127.0.0.1:5432 (user postgres, trust authentication); the
test makes its own database ie_privacy_test_<random> and drops it afterwards.
"""
from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa

from privacy_helpers import CONVERSATIONS, output_json, run_privacy, write_conversations, write_endpoints

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def postgres_db():
    name = f"ie_privacy_test_{secrets.token_hex(6)}"
    admin = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
    except sa.exc.OperationalError as error:
        admin.dispose()
        pytest.fail(f"no PostgreSQL server answers on 127.0.0.1:5432 ({error.orig}); start one, e.g. "
                    "`service postgresql start` (Debian), with trust authentication for user postgres")
    yield name
    with admin.connect() as connection:
        connection.exec_driver_sql(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
    admin.dispose()


def test_purge_export_erase_on_postgresql(postgres_db, tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    store = SQLTrackerStore(Domain.empty(), dialect="postgresql", host="127.0.0.1", port=5432, db=postgres_db,
                            username="postgres", password="")
    write_conversations(store, CONVERSATIONS)
    store.engine.dispose()
    # The keys Rasa reads (url, port, db, username, password), the password from the environment.
    endpoints = write_endpoints(tmp_path / "endpoints.yml", {
        "type": "SQL", "dialect": "postgresql", "url": "127.0.0.1", "port": 5432, "db": postgres_db,
        "username": "postgres", "password": "${IE_TEST_PG_PASSWORD}"})
    env = {"ENDPOINTS": str(endpoints), "TRACKER_DB": "", "IE_TEST_PG_PASSWORD": "",
           "MAIL_STATE_DB": str(tmp_path / "mail-state.db"), "LOG_DIR": str(tmp_path / "logs")}

    exported = output_json(run_privacy(["export", "mixed-sender"], env))
    assert exported["tracker_store"]["store"] == f"postgresql 127.0.0.1:5432/{postgres_db}"
    texts = [e["data"]["text"] for e in exported["tracker_store"]["events"] if e["type"] == "user"]
    assert texts == ["Quintana wrote long ago", "Quintana wrote this week"]

    purged = run_privacy(["purge"], env)
    assert purged.returncode == 0, purged.stderr
    assert "15 events removed, 1 conversations removed whole" in purged.stdout

    erased = output_json(run_privacy(["erase", "new-sender"], env))
    assert erased["tracker_store"]["events"] == 9

    check = sa.create_engine(f"postgresql://postgres@127.0.0.1:5432/{postgres_db}")
    with check.connect() as connection:
        left = connection.exec_driver_sql("SELECT sender_id, data FROM events ORDER BY id").fetchall()
    check.dispose()
    assert {sender for sender, _ in left} == {"mixed-sender"}
    assert "Quintana wrote long ago" not in str(left) and "Quintana wrote this week" in str(left)


def test_a_missing_password_variable_is_a_clear_error(tmp_path):
    endpoints = write_endpoints(tmp_path / "endpoints.yml", {
        "type": "SQL", "dialect": "postgresql", "url": "127.0.0.1", "db": "rasa", "password": "${IE_UNSET_VARIABLE}"})
    result = run_privacy(["export", "someone"], {"ENDPOINTS": str(endpoints), "TRACKER_DB": ""})
    assert result.returncode == 2
    assert "IE_UNSET_VARIABLE is not set" in result.stderr


def test_an_unreachable_server_is_reported_not_a_crash(tmp_path):
    endpoints = write_endpoints(tmp_path / "endpoints.yml", {
        "type": "SQL", "dialect": "postgresql", "url": "127.0.0.1", "port": 1, "db": "rasa", "username": "postgres"})
    result = run_privacy(["purge"], {"ENDPOINTS": str(endpoints), "TRACKER_DB": "",
                                     "MAIL_STATE_DB": str(tmp_path / "m.db"), "LOG_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "cannot be reached" in result.stderr and "Traceback" not in result.stderr
    assert "log files" in result.stdout  # the other stores were still purged
