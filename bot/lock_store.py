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

Two faults would otherwise hold a conversation up for the whole lock lifetime (60 s):
- an instance that dies while it holds tickets (killed, crashed): each ticket records its owner
  (a per-process id), every owner keeps a key alive in Redis (`owner_ttl`, 10 s, renewed every
  2 s by a thread), and a ticket whose owner's key has expired no longer counts —
  the dead instance's conversations go on on the other instance within seconds;
- Redis unreachable when a turn ends: the release fails, the turn's answer still goes out (the
  conversation is stored), and the ticket is released by the heartbeat thread once Redis answers
  again, not left to expire.

endpoints (bot/endpoints.py writes this for REDIS_URL)::

    lock_store:
      type: bot.lock_store.ConcurrentRedisLockStore
      url: 127.0.0.1
      port: 6379
      db: 0
      key_prefix: shizhong
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import deque
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# An owner whose key has not been renewed for this long is gone, and its tickets with it
# (endpoints: `owner_ttl`); the key is renewed five times as often.
OWNER_TTL_SECONDS = 10.0

# KEYS: the ticket counter, the ticket set, the tickets' owners, this owner's key.
# ARGV: the new ticket's expiry (epoch s), the keys' TTL (ms), this owner's id, the owner TTL (ms).
ISSUE_TICKET = """
local number = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], ARGV[1], number)
redis.call('HSET', KEYS[3], number, ARGV[3])
redis.call('SET', KEYS[4], 1, 'PX', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
return number
"""

# KEYS: the ticket set, the tickets' owners. ARGV: now (epoch s), the owners' key prefix.
# The unexpired tickets whose owner is alive, as [number, expiry, …]; the others are removed.
# (It reads owner keys it is not given in KEYS: fine for one Redis server, not for Redis Cluster.)
LIVE_TICKETS = """
local entries = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf', 'WITHSCORES')
local live = {}
for i = 1, #entries, 2 do
  local owner = redis.call('HGET', KEYS[2], entries[i])
  if owner and redis.call('EXISTS', ARGV[2] .. owner) == 1 then
    table.insert(live, entries[i])
    table.insert(live, entries[i + 1])
  else
    redis.call('ZREM', KEYS[1], entries[i])
    redis.call('HDEL', KEYS[2], entries[i])
  end
end
return live
"""


class ConcurrentRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store with tickets issued, read and released atomically, a dead owner's
    tickets disregarded, and releases that failed done again once Redis is back."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, "host": endpoint_config.url or "localhost", **kwargs}
        self.owner_ttl = float(kwargs.pop("owner_ttl", OWNER_TTL_SECONDS))
        super().__init__(**kwargs)
        self._issue = self.red.register_script(ISSUE_TICKET)
        self._live_tickets = self.red.register_script(LIVE_TICKETS)
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._owner_prefix = f"{self.key_prefix.removesuffix('lock:')}lock-owner:"
        self._unreleased: deque[tuple[str, int]] = deque()
        self._stopped = threading.Event()
        self._heartbeat_once()
        threading.Thread(target=self._heartbeat, name="lock-owner-heartbeat", daemon=True).start()

    def _keys(self, conversation_id: str) -> tuple[str, str, str]:
        base = f"{self.key_prefix}{conversation_id}"
        return f"{base}:issued", f"{base}:tickets", f"{base}:owners"

    @property
    def _owner_key(self) -> str:
        return f"{self._owner_prefix}{self.owner}"

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A new ticket, numbered after every ticket issued for the conversation so far."""
        from redis.exceptions import RedisError

        try:
            number = self._issue(keys=[*self._keys(conversation_id), self._owner_key],
                                 args=[time.time() + lock_lifetime, int((lock_lifetime + 5) * 1000),
                                       self.owner, int(self.owner_ttl * 1000)])
        except RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return int(number)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """The conversation's unexpired tickets of live owners, lowest number first; None when
        there are none."""
        _, tickets_key, owners_key = self._keys(conversation_id)
        flat = self._live_tickets(keys=[tickets_key, owners_key], args=[time.time(), self._owner_prefix])
        if not flat:
            return None
        tickets = sorted((Ticket(int(flat[i]), float(flat[i + 1])) for i in range(0, len(flat), 2)),
                         key=lambda ticket: ticket.number)
        return TicketLock(conversation_id, deque(tickets))

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets."""
        self.red.zremrangebyscore(self._keys(conversation_id)[1], "-inf", time.time())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        _, tickets_key, owners_key = self._keys(conversation_id)
        with self.red.pipeline(transaction=True) as pipe:
            pipe.zrem(tickets_key, ticket_number)
            pipe.hdel(owners_key, ticket_number)
            pipe.execute()

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Release the ticket; the keys expire by themselves (deleting them could drop a ticket
        another process has just taken). Redis unreachable: released later by the heartbeat."""
        from redis.exceptions import RedisError

        try:
            self.finish_serving(conversation_id, ticket_number)
        except RedisError as error:
            logger.error("Redis unreachable (%s): ticket %d of %s is released once it is back",
                         error, ticket_number, conversation_id)
            self._unreleased.append((conversation_id, ticket_number))

    def delete_lock(self, conversation_id: str) -> None:
        self._log_deletion(conversation_id, bool(self.red.delete(*self._keys(conversation_id))))

    def save_lock(self, lock: TicketLock) -> None:
        """Replace the conversation's tickets by `lock`'s, all this owner's (Rasa's own code no
        longer calls it)."""
        _, tickets_key, owners_key = self._keys(lock.conversation_id)
        with self.red.pipeline(transaction=True) as pipe:
            pipe.delete(tickets_key, owners_key)
            if lock.tickets:
                pipe.zadd(tickets_key, {str(ticket.number): ticket.expires for ticket in lock.tickets})
                pipe.hset(owners_key, mapping={str(ticket.number): self.owner for ticket in lock.tickets})
            pipe.execute()

    def _heartbeat_once(self) -> None:
        """Renew this owner's key, then release what could not be released while Redis was away."""
        from redis.exceptions import RedisError

        try:
            self.red.set(self._owner_key, 1, px=int(self.owner_ttl * 1000))
            while self._unreleased:
                conversation_id, ticket_number = self._unreleased[0]
                self.finish_serving(conversation_id, ticket_number)
                self._unreleased.popleft()
                logger.info("Released ticket %d of %s after Redis came back", ticket_number, conversation_id)
        except RedisError as error:
            logger.debug("Lock owner heartbeat: Redis unreachable (%s)", error)

    def _heartbeat(self) -> None:
        while not self._stopped.wait(self.owner_ttl / 5):
            self._heartbeat_once()

    def stop_heartbeat(self) -> None:
        """Stop renewing this owner's key: its tickets stop counting `owner_ttl` seconds later (as
        when the process dies)."""
        self._stopped.set()
