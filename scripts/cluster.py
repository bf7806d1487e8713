"""`make cluster`: several Rasa servers behind nginx, sharing PostgreSQL and Redis.

    CLUSTER_RASA=2 CLUSTER_PORT=8080 python -m scripts.cluster

Starts, as children that Ctrl-C / SIGTERM stop (like `make run`, scripts/stack.py):
- one action server and the demo web server (webchat/server.py), on loopback;
- CLUSTER_RASA Rasa servers (default 2) on free loopback ports, with
  - the tracker store in PostgreSQL (CLUSTER_PG_URL, default
    postgresql://postgres@127.0.0.1:5432/ie_assistant; or PGHOST, PGPORT, PGUSER,
    PGPASSWORD, CLUSTER_PG_DB), the database created if missing;
  - Rasa's RedisLockStore with atomic tickets (scripts/cluster_lock.py; REDIS_HOST,
    REDIS_PORT, REDIS_DB, REDIS_PASSWORD; default 127.0.0.1:6379 db 1), so that one
    conversation is handled by one process at a time;
  - the REST and socket.io channels of scripts/cluster_guard.py, which answer honestly
    (with the contact) when PostgreSQL or Redis is down, and recover without a restart;
- nginx (Debian's package) on 127.0.0.1:CLUSTER_PORT (default 8080) with deploy/'s
  location snippet and upstreams generated for these servers: REST round-robin to the
  least busy Rasa, socket.io sticky by client address (`hash $remote_addr consistent`,
  socket.io's long polling keeps its session in one process), the pages from the web server.

`make run` stays the embedded default (SQLite, one Rasa process).
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional

import yaml

from scripts import rasa_server
from scripts.action_server import TOKEN_VARIABLE as ACTIONS_TOKEN
from scripts.stack import LOOPBACK, MODEL, ROOT, VENV_BIN, Stack, free_port, runtime_credentials, wait_for, web_origins

NGINX = Path("/usr/sbin/nginx")
LOCATIONS = ROOT / "deploy" / "nginx" / "snippets" / "ie-assistant-locations.conf"
GUARDED_STORE = "scripts.cluster_guard.GuardedSQLTrackerStore"
ATOMIC_LOCKS = "scripts.cluster_lock.AtomicRedisLockStore"  # Rasa's RedisLockStore, race-free
GUARDED_CHANNELS = {"rest": "scripts.cluster_guard.GuardedRestInput",
                    "channels.socketio.SocketIOInput": "scripts.cluster_guard.GuardedSocketIOInput"}
PG_PASSWORD = "CLUSTER_PG_PASSWORD"  # how the endpoints files name the secrets (Rasa fills them in)
REDIS_PASSWORD = "CLUSTER_REDIS_PASSWORD"
DATABASE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")  # PostgreSQL identifiers, no quoting needed
# A store that does not answer must not hold a message for long: the user gets the
# apology after this many seconds (psycopg2's connect_timeout, redis-py's socket timeout).
STORE_TIMEOUT_S = 5

HOW_TO_POSTGRES = ("Start PostgreSQL, e.g. on Debian: `apt-get install postgresql && service postgresql start`, "
                   "then allow the user (trust on 127.0.0.1, or set PGPASSWORD / CLUSTER_PG_URL).")
HOW_TO_REDIS = "Start Redis, e.g. on Debian: `apt-get install redis-server && service redis-server start`."


class ClusterError(RuntimeError):
    """The cluster cannot start; the message says what to do."""


@dataclass
class Settings:
    size: int = 2
    port: int = 8080
    pg_host: str = LOOPBACK
    pg_port: int = 5432
    pg_user: str = "postgres"
    pg_password: str = ""
    pg_db: str = "ie_assistant"
    redis_host: str = LOOPBACK
    redis_port: int = 6379
    redis_db: int = 1
    redis_password: str = ""
    # Seconds a conversation's lock outlives a Rasa process killed while holding it. Longer
    # than any message takes (seconds under load), short enough for the person to wait.
    lock_lifetime: int = 20

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        def number(name: str, default: int, low: int = 0, high: int = 65535) -> int:
            raw = env.get(name) or str(default)
            try:
                value = int(raw)
            except ValueError:
                raise ClusterError(f"{name} must be a whole number, not {raw[:40]!r}") from None
            if not low <= value <= high:
                raise ClusterError(f"{name} must be between {low} and {high}, not {value}")
            return value

        settings = cls(
            size=number("CLUSTER_RASA", 2, 1, 16), port=number("CLUSTER_PORT", 8080, 1),
            pg_host=env.get("PGHOST") or LOOPBACK, pg_port=number("PGPORT", 5432, 1),
            pg_user=env.get("PGUSER") or "postgres", pg_password=env.get("PGPASSWORD", ""),
            pg_db=env.get("CLUSTER_PG_DB") or "ie_assistant",
            redis_host=env.get("REDIS_HOST") or LOOPBACK, redis_port=number("REDIS_PORT", 6379, 1),
            redis_db=number("REDIS_DB", 1, 0, 15), redis_password=env.get("REDIS_PASSWORD", ""),
            lock_lifetime=number("CLUSTER_LOCK_LIFETIME", 20, 5, 600),
        )
        if env.get("CLUSTER_PG_URL"):
            from sqlalchemy.engine import make_url

            try:
                url = make_url(env["CLUSTER_PG_URL"])
            except Exception:
                raise ClusterError("CLUSTER_PG_URL is not a URL like postgresql://user@host:5432/ie_assistant") from None
            settings.pg_host, settings.pg_port = url.host or LOOPBACK, url.port or 5432
            settings.pg_user, settings.pg_password = url.username or "postgres", url.password or ""
            settings.pg_db = url.database or settings.pg_db
        if not DATABASE_NAME.fullmatch(settings.pg_db):
            raise ClusterError(f"the database name must be letters, digits and _, not {settings.pg_db[:70]!r}")
        return settings

    def pg_url(self, database: str):
        from sqlalchemy.engine import URL

        return URL.create("postgresql", username=self.pg_user, password=self.pg_password or None,
                          host=self.pg_host, port=self.pg_port, database=database)


def prepare_postgres(settings: Settings) -> bool:
    """Check the server answers and create the database if missing; True if created."""
    import sqlalchemy as sa

    admin = sa.create_engine(settings.pg_url("postgres"), isolation_level="AUTOCOMMIT",
                             connect_args={"connect_timeout": STORE_TIMEOUT_S})
    try:
        with admin.connect() as connection:
            exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": settings.pg_db}).first()
            if not exists:
                connection.exec_driver_sql(f"CREATE DATABASE {settings.pg_db}")  # name checked above
            return not exists
    except sa.exc.OperationalError as error:
        first_line = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise ClusterError(f"PostgreSQL on {settings.pg_host}:{settings.pg_port} (user {settings.pg_user}) "
                           f"does not answer: {first_line}\n{HOW_TO_POSTGRES}") from None
    finally:
        admin.dispose()


def check_redis(settings: Settings) -> None:
    import redis

    client = redis.Redis(host=settings.redis_host, port=settings.redis_port, db=settings.redis_db,
                         password=settings.redis_password or None, socket_timeout=STORE_TIMEOUT_S,
                         socket_connect_timeout=STORE_TIMEOUT_S)
    try:
        client.ping()
    except redis.RedisError as error:
        raise ClusterError(f"Redis on {settings.redis_host}:{settings.redis_port} does not answer "
                           f"({type(error).__name__}: {str(error)[:200]})\n{HOW_TO_REDIS}") from None
    finally:
        client.close()


def tracker_store(settings: Settings, store_type: str) -> Dict[str, object]:
    store: Dict[str, object] = {"type": store_type, "dialect": "postgresql", "url": settings.pg_host,
                                "port": settings.pg_port, "db": settings.pg_db, "username": settings.pg_user}
    if settings.pg_password:
        store["password"] = "${%s}" % PG_PASSWORD  # filled in from the environment, never on disk
    return store


def rasa_endpoints(settings: Settings, actions_url: str) -> Dict[str, object]:
    """The endpoints every Rasa server of the cluster gets."""
    store = tracker_store(settings, GUARDED_STORE)
    store["query"] = {"connect_timeout": str(STORE_TIMEOUT_S)}
    lock: Dict[str, object] = {"type": ATOMIC_LOCKS, "url": settings.redis_host, "port": settings.redis_port,
                               "db": settings.redis_db, "socket_timeout": STORE_TIMEOUT_S}
    if settings.redis_password:
        lock["password"] = "${%s}" % REDIS_PASSWORD
    return {
        "action_endpoint": {"url": f"{actions_url}/webhook", "headers": {"Authorization": "Bearer ${%s}" % ACTIONS_TOKEN}},
        "tracker_store": store,
        "lock_store": lock,
    }


def cluster_credentials(source: Path, origins: List[str], directory: Path) -> Path:
    """credentials.yml with the pages' origins allowed and REST / socket.io guarded."""
    path, _ = runtime_credentials(source, origins, directory)
    channels = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    guarded = {GUARDED_CHANNELS.get(name, name): settings for name, settings in channels.items()}
    path.write_text(yaml.safe_dump(guarded, sort_keys=False), encoding="utf-8")
    return path


def nginx_site(port: int, rasa_ports: List[int], web_port: int, interface: str = LOOPBACK) -> str:
    """The upstreams and the server block; the locations are deploy/'s snippet."""
    servers = "\n".join(f"    server {LOOPBACK}:{p} max_fails=1 fail_timeout=10s;" for p in rasa_ports)
    return f"""# Generated by scripts/cluster.py for this run.
# REST and the health route: the least busy Rasa server (any of them can answer any
# conversation: tracker store and locks are shared). A server that refuses connections
# (killed) is skipped for fail_timeout; the request goes to the next one.
upstream ie_assistant_rasa {{
    least_conn;
{servers}
    keepalive 16;
}}

# socket.io: long polling keeps its session in the process that opened it, so one client
# address always goes to one server (while that server is up).
upstream ie_assistant_socketio {{
    hash $remote_addr consistent;
{servers}
}}

upstream ie_assistant_web {{
    server {LOOPBACK}:{web_port};
}}

map $http_upgrade $ie_assistant_connection {{
    default upgrade;
    ""      "";
}}

server {{
    listen {interface}:{port};
    server_name localhost;
    server_tokens off;

    include snippets/{LOCATIONS.name};
}}
"""


def write_nginx(prefix: Path, site: str, log_dir: Path) -> Path:
    """nginx.conf under `prefix` (daemon off, its own pid and temp paths); returns it."""
    (prefix / "snippets").mkdir(parents=True, exist_ok=True)
    shutil.copy(LOCATIONS, prefix / "snippets" / LOCATIONS.name)
    (prefix / "cluster-site.conf").write_text(site, encoding="utf-8")
    temp = "\n".join(f"    {kind}_temp_path {prefix}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = prefix / "nginx.conf"
    # The access log has paths and addresses only, never message text (it is in the body).
    conf.write_text(f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {log_dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {log_dir}/nginx-access.log;
{temp}
    include cluster-site.conf;
}}
""", encoding="utf-8")
    return conf


class _RasaMember(Stack):
    """One Rasa server of the cluster: Stack's command and start-up, the cluster's endpoints."""

    def __init__(self, endpoints: Path, **kwargs) -> None:
        super().__init__(**kwargs)
        self._cluster_endpoints = endpoints

    @property
    def endpoints(self) -> Path:
        return self._cluster_endpoints


class Cluster:
    """The action server, the web server, N Rasa servers, nginx and the retention job."""

    def __init__(self, settings: Settings, log_dir: Optional[Path] = None, api: bool = False,
                 extra_env: Optional[Dict[str, str]] = None, model: Path = MODEL) -> None:
        self.settings = settings
        self.work_dir = Path(tempfile.mkdtemp(prefix="ie-cluster-"))
        self.log_dir = log_dir or self.work_dir
        env = {**os.environ, **(extra_env or {})}
        # One secret for the action server and one API token for every Rasa server.
        env[ACTIONS_TOKEN] = env.get(ACTIONS_TOKEN) or secrets.token_urlsafe(32)
        if api and not env.get(rasa_server.TOKEN):
            env[rasa_server.TOKEN] = secrets.token_urlsafe(32)
        env["TICKET_LOCK_LIFETIME"] = str(settings.lock_lifetime)  # read by rasa/core/lock_store.py
        if settings.pg_password:
            env[PG_PASSWORD] = settings.pg_password
        if settings.redis_password:
            env[REDIS_PASSWORD] = settings.redis_password
        self.api_token: Optional[str] = env.get(rasa_server.TOKEN) or None
        self.base = Stack(log_dir=self.log_dir, extra_env=env, web_port=free_port(), model=model)
        self.base.interfaces = {name: LOOPBACK for name in self.base.interfaces}  # nginx is the only way in
        self.url = f"http://{LOOPBACK}:{settings.port}"
        origins = web_origins(settings.port)  # the pages as the browser sees them, through nginx
        credentials = cluster_credentials(ROOT / "credentials.yml", origins, self.work_dir)
        endpoints = self.work_dir / "endpoints.cluster.yml"
        endpoints.write_text(yaml.safe_dump(rasa_endpoints(settings, self.base.actions_url)), encoding="utf-8")
        # For the retention job and `ENDPOINTS=... make export/erase`: Rasa's plain SQL store.
        self.privacy_endpoints = self.work_dir / "endpoints.privacy.yml"
        self.privacy_endpoints.write_text(yaml.safe_dump({"tracker_store": tracker_store(settings, "SQL")}), encoding="utf-8")
        self.members: List[_RasaMember] = []
        for index in range(settings.size):
            member_logs = self.log_dir / f"rasa-{index + 1}"
            member_logs.mkdir(parents=True, exist_ok=True)
            member = _RasaMember(endpoints, log_dir=member_logs, extra_env=env, credentials=credentials,
                                 cors=origins, model=model, actions_port=self.base.actions_port)
            member.interfaces = {name: LOOPBACK for name in member.interfaces}
            self.members.append(member)
        self.nginx: Optional[subprocess.Popen] = None

    @property
    def processes(self) -> List[subprocess.Popen]:
        return [*self.base.processes, *(p for member in self.members for p in member.processes)]

    def preflight(self) -> bool:
        """PostgreSQL and Redis answer (the database is created if missing); nginx is there."""
        if not NGINX.exists():
            raise ClusterError(f"{NGINX} is missing: `apt-get install nginx` (or `bash scripts/system-deps.sh`)")
        created = prepare_postgres(self.settings)
        check_redis(self.settings)
        return created

    def start_rasa(self) -> None:
        """All Rasa servers at once (each loads the model; Rasa copes with creating the tables
        from several processes at the same time)."""
        with ThreadPoolExecutor(max_workers=len(self.members)) as pool:
            for future in [pool.submit(member.start_rasa) for member in self.members]:
                future.result()

    def start_web(self) -> None:
        base = self.base
        process = base._spawn("web", [str(VENV_BIN / "python"), "-m", "webchat.server", "--host", LOOPBACK,
                                      "--port", str(base.web_port), "--rasa-url", f"http://localhost:{self.settings.port}"])
        wait_for(f"{base.web_url}/", 30, process)

    def start_nginx(self) -> None:
        prefix = self.work_dir / "nginx"
        site = nginx_site(self.settings.port, [m.rasa_port for m in self.members], self.base.web_port)
        conf = write_nginx(prefix, site, self.log_dir)
        command = [str(NGINX), "-p", str(prefix), "-c", str(conf), "-e", str(self.log_dir / "nginx-error.log")]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise ClusterError(f"nginx refused the generated configuration:\n{check.stderr}")
        self.nginx = self.base._spawn("nginx", command)
        wait_for(f"{self.url}/", 30, self.nginx, expect="Hello from Rasa")

    def start_retention(self) -> None:
        env = {**self.base.env, "TRACKER_DB": "", "ENDPOINTS": str(self.privacy_endpoints), "LOG_DIR": str(self.log_dir)}
        self.base._spawn("retention", [str(VENV_BIN / "python"), "-m", "privacy", "daily"], env)

    def start(self, report=lambda text: None) -> "Cluster":
        try:
            report("Starting the action server...")
            self.base.start_actions()
            report(f"Starting {len(self.members)} Rasa servers (each loads the model)...")
            self.start_rasa()
            report("Starting the web server and nginx...")
            self.start_web()
            self.start_nginx()
            if (ROOT / "privacy" / "__main__.py").exists():
                self.start_retention()
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        # nginx first (no new requests), then the Rasa servers, then the rest.
        if self.nginx is not None and self.nginx.poll() is None:
            os.killpg(self.nginx.pid, signal.SIGTERM)
        for member in self.members:
            member.stop()
        self.base.stop()

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> None:
    for stop_signal in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, lambda *_: sys.exit(0))
    logs = ROOT / "logs" / "cluster"
    logs.mkdir(parents=True, exist_ok=True)
    cluster = None
    try:
        settings = Settings.from_env(os.environ)
        cluster = Cluster(settings, log_dir=logs)
        created = cluster.preflight()
        print(f"PostgreSQL {settings.pg_host}:{settings.pg_port}, database {settings.pg_db}"
              f"{' (created)' if created else ''}; Redis {settings.redis_host}:{settings.redis_port} db {settings.redis_db}",
              flush=True)
        print(rasa_server.describe_api(cluster.base.rasa_env), flush=True)
        cluster.start(report=lambda text: print(text, flush=True))
        port = settings.port
        rasa = ", ".join(member.rasa_url for member in cluster.members)
        print(
            "\nThe assistant is running as a cluster.\n"
            f"  Chat (English):   http://localhost:{port}/index.html\n"
            f"  Chat (Norwegian): http://localhost:{port}/nb/\n"
            f"  REST:      POST http://localhost:{port}/webhooks/rest/webhook  {{\"sender\": \"me\", \"message\": \"hei\"}}\n"
            f"  socket.io: http://localhost:{port}/socket.io (web chat widget)\n"
            f"  Behind nginx: {len(cluster.members)} Rasa servers ({rasa}), one action server\n"
            f"  Privacy tools: ENDPOINTS={cluster.privacy_endpoints} make export WHO=...\n"
            f"  Logs:      {logs}/\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        while all(p.poll() is None for p in cluster.processes):
            time.sleep(1)
        print("A server stopped unexpectedly; see the logs.", file=sys.stderr)
        sys.exit(1)
    except ClusterError as error:
        print(f"make cluster: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        pass
    finally:
        if cluster is not None:
            try:
                print("\nStopping...", flush=True)
            except OSError:
                pass  # stdout may be a pipe that Ctrl-C already closed
            cluster.stop()


if __name__ == "__main__":
    main()
