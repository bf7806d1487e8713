"""One cluster (scripts/cluster.py) for the fault tests: two Rasa servers, one action server,
the web server and nginx, on a new PostgreSQL database and an empty Redis database number,
both reached through forwarders the tests can take down. Removed afterwards.

Starting two Rasa servers takes one to two minutes on a loaded 2-core machine, so the
tests share this one cluster (each with its own sender ids); the kill -9 test runs last."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import pytest

from scripts.cluster import NGINX, Cluster, Settings
from scripts.stack import MODEL, free_port
from tests.cluster.helpers import (PG_SERVER, REDIS_SERVER, Forwarder, claim_redis_db, create_database,
                                   drop_database, flush_redis_db)


@dataclass
class Running:
    cluster: Cluster
    database: str
    redis_db: int
    postgres: Forwarder
    redis: Forwarder

    @property
    def url(self) -> str:
        return self.cluster.url


@pytest.fixture(scope="package")
def running(tmp_path_factory) -> Iterator[Running]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does)")
    if not NGINX.exists():
        pytest.fail(f"{NGINX} is missing: run `bash scripts/system-deps.sh` (as root)")
    database = create_database()
    redis_db = claim_redis_db()
    postgres, redis = Forwarder(PG_SERVER).start(), Forwarder(REDIS_SERVER).start()
    settings = Settings(size=2, port=free_port(), pg_port=postgres.port, pg_db=database,
                        redis_port=redis.port, redis_db=redis_db, lock_lifetime=10)
    cluster = Cluster(settings, log_dir=tmp_path_factory.mktemp("cluster-logs"), api=True,
                      extra_env={"RASA_JWT_SECRET": "", "PYTHONUNBUFFERED": "1"})
    try:
        cluster.preflight()
        cluster.start()
        yield Running(cluster, database, redis_db, postgres, redis)
    finally:
        cluster.stop()
        postgres.stop()
        redis.stop()
        drop_database(database)
        flush_redis_db(redis_db)
