"""The WeChat channel's small memories, each bounded in time: in the process, or in Redis.

Used for the messages already taken (WeChat retries a message it got no answer to within 5 s) and
for the numbered options last offered to each follower. By default they live in the Rasa process
(`LocalMemory`, an `ExpiringMap`): one instance, or a load balancer that routes by openid. With a
Redis URL (`REDIS_URL`, as for the cluster's lock store) they live in Redis (`RedisMemory`), so a
retry or a number may reach any instance. Redis being unreachable never costs a message: a
message is then taken as new and a number read as text (both logged).
"""

from __future__ import annotations

import abc
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from bot.redis_client import redis_client

__all__ = ["ExpiringMap", "LocalMemory", "Memory", "RedisMemory", "memories", "redis_client"]

logger = logging.getLogger(__name__)

Value = TypeVar("Value")


class ExpiringMap(Generic[Value]):
    """A mapping whose entries expire after `ttl` seconds; the oldest go first beyond `max_size`."""

    def __init__(self, ttl: float, max_size: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if ttl <= 0 or max_size <= 0:
            raise ValueError("ttl and max_size must be positive")
        self.ttl = ttl
        self.max_size = max_size
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Value]] = OrderedDict()

    def __len__(self) -> int:
        self._expire()
        return len(self._entries)

    def get(self, key: str) -> Value | None:
        self._expire()
        entry = self._entries.get(key)
        return entry[1] if entry else None

    def put(self, key: str, value: Value) -> None:
        self._entries.pop(key, None)
        self._entries[key] = (self._clock() + self.ttl, value)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)

    def pop(self, key: str) -> Value | None:
        entry = self._entries.pop(key, None)
        return entry[1] if entry and entry[0] > self._clock() else None

    def add_new(self, key: str, value: Value) -> bool:
        """Store `key` unless it is already there; True when it was new."""
        if self.get(key) is not None:
            return False
        self.put(key, value)
        return True

    def _expire(self) -> None:
        now = self._clock()
        while self._entries:
            key, (expires, _) = next(iter(self._entries.items()))
            if expires > now:
                break
            del self._entries[key]


class Memory(abc.ABC):
    """What the channel remembers between messages, JSON values under string keys, for `ttl` s."""

    def __init__(self, ttl: float) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self.ttl = ttl

    @abc.abstractmethod
    async def add_new(self, key: str) -> bool:
        """Remember `key`; True when it was not remembered yet (a retry gives False)."""

    @abc.abstractmethod
    async def get(self, key: str) -> Any | None:
        """The value under `key`, or None when there is none (or it expired)."""

    @abc.abstractmethod
    async def put(self, key: str, value: Any) -> None:
        """Remember `value` under `key` for `ttl` seconds."""

    @abc.abstractmethod
    async def pop(self, key: str) -> None:
        """Forget `key`."""

    async def close(self) -> None:  # noqa: B027 (nothing to release in the process)
        """Release connections."""


class LocalMemory(Memory):
    """The memory of one process (the default): an `ExpiringMap`."""

    def __init__(self, ttl: float, max_size: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(ttl)
        self.entries: ExpiringMap[Any] = ExpiringMap(ttl, max_size, clock)

    async def add_new(self, key: str) -> bool:
        return self.entries.add_new(key, True)

    async def get(self, key: str) -> Any | None:
        return self.entries.get(key)

    async def put(self, key: str, value: Any) -> None:
        self.entries.put(key, value)

    async def pop(self, key: str) -> None:
        self.entries.pop(key)


class RedisMemory(Memory):
    """The memory shared by every instance: keys `prefix` + key in Redis, expiring after `ttl`."""

    def __init__(self, client: Any, prefix: str, ttl: float) -> None:
        super().__init__(ttl)
        self.client = client  # a redis.asyncio.Redis
        self.prefix = prefix
        self._milliseconds = max(1, int(ttl * 1000))

    async def add_new(self, key: str) -> bool:
        from redis.exceptions import RedisError

        try:
            return bool(await self.client.set(self.prefix + key, "1", nx=True, px=self._milliseconds))
        except RedisError as error:
            logger.error("Redis unreachable (%s): WeChat message %s taken as new", error, key)
            return True

    async def get(self, key: str) -> Any | None:
        from redis.exceptions import RedisError

        try:
            raw = await self.client.get(self.prefix + key)
        except RedisError as error:
            logger.error("Redis unreachable (%s): nothing remembered for %s", error, key)
            return None
        return json.loads(raw) if raw is not None else None

    async def put(self, key: str, value: Any) -> None:
        from redis.exceptions import RedisError

        try:
            await self.client.set(self.prefix + key, json.dumps(value, ensure_ascii=False), px=self._milliseconds)
        except RedisError as error:
            logger.error("Redis unreachable (%s): not remembered for %s", error, key)

    async def pop(self, key: str) -> None:
        from redis.exceptions import RedisError

        try:
            await self.client.delete(self.prefix + key)
        except RedisError as error:
            logger.error("Redis unreachable (%s): could not forget %s", error, key)

    async def close(self) -> None:
        await self.client.close()


def memories(redis_url: str, prefix: str, ttls: dict[str, float]) -> dict[str, Memory]:
    """One memory per name in `ttls`: in Redis (one client) when `redis_url` is set, else local."""
    if not redis_url:
        return {name: LocalMemory(ttl) for name, ttl in ttls.items()}
    client = redis_client(redis_url)
    return {name: RedisMemory(client, f"{prefix}:{name}:", ttl) for name, ttl in ttls.items()}
