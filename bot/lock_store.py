"""`ConcurrentRedisLockStore`: Rasa's Redis ticket lock, safe for several Rasa processes at once.

Rasa 3.6's `RedisLockStore` keeps a conversation's ticket lock as one JSON value and changes it by
reading it, changing it in the process and writing it back. Two instances (or Sanic workers)
taking a ticket for the same conversation at the same moment both read the same lock, both
append ticket N+1 and both write: they then hold the same ticket and handle their messages at
the same time, and one turn's events overwrite the other's in the tracker (seen in
tests/production/test_cluster.py: one of six concurrent messages lost). A ticket released while
another is being issued can likewise delete the newcomer's ticket.

Here every change is one atomic Redis operation: a ticket number comes from `INCR`, and the
tickets of a conversation are a sorted set (member: number, score: expiry time), added to in the
same Lua script as the `INCR`, removed from by `ZREM`, read with the expired ones left out. The
keys expire by themselves after the lock lifetime, so nothing is deleted that another process
might just have added. Rasa's own waiting loop (`LockStore.lock`, `_acquire_lock`) is unchanged:
a message is handled when its ticket is the lowest unexpired one.

endpoints (bot/endpoints.py writes this for REDIS_URL)::

    lock_store:
      type: bot.lock_store.ConcurrentRedisLockStore
      url: 127.0.0.1
      port: 6379
      db: 0
      key_prefix: shizhong
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

# KEYS: the ticket counter, the ticket set; ARGV: the new ticket's expiry (epoch s), key TTL (ms).
ISSUE_TICKET = """
local number = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], ARGV[1], number)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return number
"""


class ConcurrentRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store with tickets issued, read and released atomically."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, "host": endpoint_config.url or "localhost", **kwargs}
        super().__init__(**kwargs)
        self._issue = self.red.register_script(ISSUE_TICKET)

    def _keys(self, conversation_id: str) -> tuple[str, str]:
        base = f"{self.key_prefix}{conversation_id}"
        return f"{base}:issued", f"{base}:tickets"

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A new ticket, numbered after every ticket issued for the conversation so far."""
        from redis.exceptions import RedisError

        try:
            number = self._issue(keys=list(self._keys(conversation_id)),
                                 args=[time.time() + lock_lifetime, int((lock_lifetime + 5) * 1000)])
        except RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return int(number)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """The conversation's unexpired tickets, lowest number first; None when there are none."""
        entries = self.red.zrangebyscore(self._keys(conversation_id)[1], time.time(), "+inf", withscores=True)
        if not entries:
            return None
        tickets = sorted((Ticket(int(member), float(expires)) for member, expires in entries),
                         key=lambda ticket: ticket.number)
        return TicketLock(conversation_id, deque(tickets))

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets."""
        self.red.zremrangebyscore(self._keys(conversation_id)[1], "-inf", time.time())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self.red.zrem(self._keys(conversation_id)[1], ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Release the ticket; the keys expire by themselves (deleting them could drop a ticket
        another process has just taken)."""
        self.finish_serving(conversation_id, ticket_number)

    def delete_lock(self, conversation_id: str) -> None:
        self._log_deletion(conversation_id, bool(self.red.delete(*self._keys(conversation_id))))

    def save_lock(self, lock: TicketLock) -> None:
        """Replace the conversation's tickets by `lock`'s (Rasa's own code no longer calls it)."""
        tickets_key = self._keys(lock.conversation_id)[1]
        with self.red.pipeline(transaction=True) as pipe:
            pipe.delete(tickets_key)
            if lock.tickets:
                pipe.zadd(tickets_key, {str(ticket.number): ticket.expires for ticket in lock.tickets})
            pipe.execute()
