"""Rasa's RedisLockStore with atomic ticket changes, for several Rasa servers (`make cluster`).

Rasa 3.6's RedisLockStore changes a conversation's lock by read, modify, write: two servers
that get a message of one sender at the same moment both read "no lock", both take ticket
0, and both handle the conversation at once; one of the two turns is then lost (the SQL
tracker store appends "the events after the ones already stored", counted). The fault test
tests/cluster/test_cluster_load.py sends exactly that and saw it happen.

Here every change of a lock (issue a ticket, drop expired ones, finish one, delete the lock)
runs in a Redis transaction on that lock's key (WATCH / MULTI / EXEC, retried when another
server changed the key in between), so tickets are unique and handed out in order.

A second flaw, seen when one server was killed: a waiting ticket expires like a served one
(TICKET_LOCK_LIFETIME after it was issued). When the dead server's ticket and the waiting
one expire within the same poll, both are dropped and the waiting message then waits forever
(an empty lock "serves" ticket 0). Here a waiting server renews its own ticket at every poll:
only a ticket whose server stopped polling (dead) or that is being served expires. Endpoints:

    lock_store:
      type: scripts.cluster_lock.AtomicRedisLockStore
      url: ..., port: ..., db: ...   # as for `type: redis`
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Callable, Optional, Text, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

T = TypeVar("T")
MAX_ATTEMPTS = 100  # other servers changing the same lock: each retry means one of them went ahead


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs) -> None:
        # Rasa builds custom lock stores with the endpoint config only.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: Text, change: Callable[[Optional[TicketLock]], T],
                delete_when_idle: bool = False) -> T:
        """Apply `change` to the stored lock (None when there is none) in one transaction."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            for _ in range(MAX_ATTEMPTS):
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    result = change(lock)
                    pipe.multi()
                    if lock is None or (delete_when_idle and not lock.is_someone_waiting()):
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue
        raise LockError(f"the lock of a conversation changed {MAX_ATTEMPTS} times while being updated")

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        key = self.key_prefix + conversation_id
        try:
            with self.red.pipeline() as pipe:
                for _ in range(MAX_ATTEMPTS):
                    try:
                        pipe.watch(key)
                        raw = pipe.get(key)
                        lock = TicketLock.from_dict(json.loads(raw)) if raw else self.create_lock(conversation_id)
                        ticket = lock.issue_ticket(lock_lifetime)
                        pipe.multi()
                        pipe.set(key, lock.dumps())
                        pipe.execute()
                        return ticket
                    except redis.WatchError:
                        continue
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock ({type(error).__name__})") from error
        raise LockError(f"the lock of a conversation changed {MAX_ATTEMPTS} times while issuing a ticket")

    async def _acquire_lock(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        def renew(lock: Optional[TicketLock]) -> Optional[TicketLock]:
            if lock is not None:
                for held in lock.tickets:
                    if held.number == ticket:
                        held.expires = max(held.expires, time.time() + LOCK_LIFETIME)
                lock.remove_expired_tickets()  # a dead server's ticket
            return lock

        while True:
            try:
                lock = self._change(conversation_id, renew)
            except redis.RedisError as error:
                raise LockError(f"Error while acquiring lock ({type(error).__name__})") from error
            if lock is None or lock._ticket_for_ticket_number(ticket) is None:
                raise LockError("the conversation's lock or this message's ticket is gone")
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)

    def update_lock(self, conversation_id: Text) -> None:
        self._change(conversation_id, lambda lock: lock and lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock and lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Drop this ticket and, when nobody waits any more, the lock, in one step."""
        self._change(conversation_id, lambda lock: lock and lock.remove_ticket_for(ticket_number),
                     delete_when_idle=True)
