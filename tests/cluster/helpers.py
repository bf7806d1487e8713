"""Helpers of the cluster fault tests: a TCP forwarder that plays a store going down and
coming back, the stores' test databases, REST calls through nginx, the stored events."""
from __future__ import annotations

import secrets
import socket
import threading
from typing import Any, Dict, List, Optional, Set, Tuple

import pytest
import requests
import sqlalchemy as sa

from scripts.stack import free_port

PG_SERVER = ("127.0.0.1", 5432)
REDIS_SERVER = ("127.0.0.1", 6379)
HOW_TO = {
    "PostgreSQL": "start one, e.g. `apt-get install postgresql && service postgresql start` (Debian), "
                  "with trust authentication for user postgres on 127.0.0.1",
    "Redis": "start one, e.g. `apt-get install redis-server && service redis-server start` (Debian)",
}
REQUEST_TIMEOUT_S = 60  # no request of these tests may hang longer


class Forwarder:
    """127.0.0.1:<port> -> a server. `stop()` closes the port and cuts every connection (the
    server is "down" for its clients); `start()` opens the same port again. The machine's
    shared servers are never touched."""

    def __init__(self, target: Tuple[str, int]) -> None:
        self.target, self.port = target, free_port()
        self._server: Optional[socket.socket] = None
        self._connections: Set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> "Forwarder":
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(128)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            try:
                self._server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() (Linux)
            except OSError:
                pass
            self._server.close()
            self._server = None
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:
            _close(connection)

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._connections.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for connection in (source, sink):
                _close(connection)
                with self._lock:
                    self._connections.discard(connection)


def _close(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    connection.close()


def create_database() -> str:
    """A new PostgreSQL database ie_cluster_test_<random>; fails (never skips) without a server."""
    name = f"ie_cluster_test_{secrets.token_hex(6)}"
    admin = sa.create_engine("postgresql://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT",
                             connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
    except sa.exc.OperationalError as error:
        pytest.fail(f"no PostgreSQL server answers on 127.0.0.1:5432 ({error.orig}); {HOW_TO['PostgreSQL']}")
    finally:
        admin.dispose()
    return name


def drop_database(name: str) -> None:
    admin = sa.create_engine("postgresql://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
    admin.dispose()


def claim_redis_db() -> int:
    """An empty Redis database number (1-15) for this run; fails (never skips) without a server."""
    import redis

    candidates = list(range(1, 16))
    secrets.SystemRandom().shuffle(candidates)
    for number in candidates:
        client = redis.Redis(*REDIS_SERVER, db=number, socket_timeout=5, socket_connect_timeout=5)
        try:
            # SETNX of a marker: two test runs never take the same number.
            if client.dbsize() == 0 and client.set("ie_cluster_test_owner", "1", nx=True):
                return number
        except redis.RedisError as error:
            pytest.fail(f"no Redis server answers on 127.0.0.1:6379 ({error}); {HOW_TO['Redis']}")
        finally:
            client.close()
    pytest.fail("every Redis database 1-15 on 127.0.0.1:6379 holds data; cannot pick one for the test")


def flush_redis_db(number: int) -> None:
    import redis

    client = redis.Redis(*REDIS_SERVER, db=number, socket_timeout=5)
    client.flushdb()
    client.close()


def say(url: str, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None) -> requests.Response:
    body: Dict[str, Any] = {"sender": sender, "message": text, **({"metadata": metadata} if metadata else {})}
    return requests.post(f"{url}/webhooks/rest/webhook", json=body, timeout=REQUEST_TIMEOUT_S)


def texts(response: requests.Response) -> List[str]:
    return [message.get("text") or "" for message in response.json()]


def stored_events(database: str, sender: str) -> List[Dict[str, Any]]:
    """Every event of a conversation as stored in PostgreSQL, in the order Rasa reads them."""
    import json

    engine = sa.create_engine(f"postgresql://postgres@127.0.0.1:5432/{database}")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
                                  {"s": sender}).fetchall()
    engine.dispose()
    return [{"event": type_name, **json.loads(data)} for type_name, data in rows]
