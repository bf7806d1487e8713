"""scripts/cluster_lock.py against the real Redis: two lock stores (two Rasa servers) issuing
tickets for one conversation at the same moment get different tickets, served in order;
Rasa's own RedisLockStore hands out the same ticket twice under the same race."""
from __future__ import annotations

import threading

from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from scripts.cluster_lock import AtomicRedisLockStore
from tests.cluster.helpers import claim_redis_db, flush_redis_db

ROUNDS, PER_SERVER = 20, 4


def race(stores, conversation: str):
    """Each store issues PER_SERVER tickets from its own thread, all released at once."""
    tickets, barrier = [], threading.Barrier(len(stores) * PER_SERVER)

    def take(store):
        barrier.wait(timeout=30)
        tickets.append(store.issue_ticket(conversation))

    threads = [threading.Thread(target=take, args=(store,)) for store in stores for _ in range(PER_SERVER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return tickets


def test_tickets_are_unique_across_servers():
    db = claim_redis_db()
    try:
        config = EndpointConfig(url="127.0.0.1", type="scripts.cluster_lock.AtomicRedisLockStore", port=6379, db=db)
        servers = [AtomicRedisLockStore(endpoint_config=config) for _ in range(2)]
        plain = [RedisLockStore(host="127.0.0.1", port=6379, db=db) for _ in range(2)]
        duplicates_plain = 0
        for round_number in range(ROUNDS):
            tickets = race(servers, f"atomic-{round_number}")
            assert sorted(tickets) == list(range(2 * PER_SERVER)), tickets
            lock = servers[0].get_lock(f"atomic-{round_number}")
            assert not lock.is_locked(0) and all(lock.is_locked(t) for t in range(1, 2 * PER_SERVER))
            for ticket in range(2 * PER_SERVER):  # served in order, the lock gone after the last
                servers[ticket % 2].cleanup(f"atomic-{round_number}", ticket)
            assert servers[0].get_lock(f"atomic-{round_number}") is None
            tickets = race(plain, f"plain-{round_number}")
            duplicates_plain += len(tickets) - len(set(tickets))
        # Why the cluster does not use Rasa's own store (if Rasa fixes it, this shows it).
        assert duplicates_plain > 0
    finally:
        flush_redis_db(db)


def test_a_waiting_ticket_outlives_a_dead_server_s_ticket():
    import asyncio
    import time as clock

    from rasa.core import lock_store as rasa_locks

    db = claim_redis_db()
    try:
        config = EndpointConfig(url="127.0.0.1", type="scripts.cluster_lock.AtomicRedisLockStore", port=6379, db=db)
        dead, alive = AtomicRedisLockStore(endpoint_config=config), AtomicRedisLockStore(endpoint_config=config)
        dead.issue_ticket("c", lock_lifetime=1.5)  # its server dies holding it
        waiting = alive.issue_ticket("c", lock_lifetime=1.6)  # expires in the same poll as the dead one
        started = clock.monotonic()
        lock = asyncio.run(asyncio.wait_for(alive._acquire_lock("c", waiting, 1), timeout=rasa_locks.LOCK_LIFETIME))
        assert not lock.is_locked(waiting)
        assert clock.monotonic() - started < 5
    finally:
        flush_redis_db(db)
