"""Rasa's Redis lock store, with each change of a lock made as one Redis transaction.

Rasa reads a conversation's lock, changes it and writes it back in three separate steps. Two
workers taking a ticket for the same conversation at the same moment can then both read "no
lock", both get ticket 0 and both go ahead, and one of the two messages is lost from the
conversation (tests/scale caught it, about one run in two once Rasa got faster). Here each
read-change-write is a WATCH/MULTI/EXEC transaction: if another worker wrote the lock in between,
the write fails and the change is made again on the fresh lock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        # Rasa builds a custom lock store from its endpoint config alone; its own `redis` type
        # passes the config's url as the host and the other keys as they are. So does this.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(
        self,
        conversation_id: str,
        change: Callable[[TicketLock], Any],
        *,
        create: bool = False,
        delete_when_idle: bool = False,
    ) -> Any:
        """Apply `change` to the stored lock atomically and return what it returned."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    stored = pipe.get(key)
                    if stored:
                        lock = TicketLock.from_dict(json.loads(stored))
                    elif create:
                        lock = TicketLock(conversation_id)
                    else:
                        return None
                    result = change(lock)
                    pipe.multi()
                    if delete_when_idle and not lock.is_someone_waiting():
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(
                conversation_id, lambda lock: lock.issue_ticket(lock_lifetime), create=True
            )
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # Rasa removes the ticket, then deletes the lock if no one waits, in two steps: a ticket
        # issued between them would be deleted with the lock.
        self._change(
            conversation_id,
            lambda lock: lock.remove_ticket_for(ticket_number),
            delete_when_idle=True,
        )
