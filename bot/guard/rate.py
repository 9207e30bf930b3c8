"""How many messages a conversation (and an untrusted address) may send in a sliding window.

Settings (environment, read by every channel when Rasa starts it):

    RATE_LIMIT             per conversation (a WeChat follower, a widget session, a REST sender):
                           "30/10" (default) = at most 30 messages in any 10 s; "off" = no limit
    RATE_LIMIT_PER_ADDRESS per client address that is not trusted (bot/guard/clients.py):
                           "100/10" by default; "off" = no limit

A real resident never reaches 30 messages in 10 s; a script does at once. The windows live in this
process (`LocalWindows`) or, when `REDIS_URL` is set (several instances), in Redis
(`RedisWindows`: one sorted set of message times per key, trimmed and counted by one atomic
script with Redis's own clock), so that the limit holds whichever instance a message reaches.
Redis being unreachable never costs a message: the message is let through and the error logged.
"""

from __future__ import annotations

import abc
import logging
import os
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.redis_client import redis_client

logger = logging.getLogger(__name__)

RATE_LIMIT_ENV, ADDRESS_RATE_LIMIT_ENV, REDIS_URL_ENV = "RATE_LIMIT", "RATE_LIMIT_PER_ADDRESS", "REDIS_URL"
KEY_PREFIX = "shizhong:rate:"


@dataclass(frozen=True)
class Rate:
    """At most `messages` in any `seconds`."""

    messages: int
    seconds: float

    def __post_init__(self) -> None:
        if self.messages < 1 or self.seconds <= 0:
            raise ValueError("a rate needs at least one message in a positive number of seconds")

    @classmethod
    def parse(cls, value: str | None, default: Rate | None) -> Rate | None:
        """ "30/10" → 30 messages in 10 s; "off" → None (no limit); empty → `default`."""
        text = (value or "").strip().lower()
        if not text:
            return default
        if text in ("off", "0", "none"):
            return None
        messages, _, seconds = text.partition("/")
        try:
            return cls(int(messages), float(seconds.removesuffix("s")))
        except ValueError:
            raise ValueError(f"a rate limit is written like 30/10 (30 messages in 10 s) or off, "
                             f"not {value!r}") from None

    def __str__(self) -> str:
        return f"{self.messages} messages in {self.seconds:g} s"


DEFAULT_PER_CONVERSATION = Rate(30, 10)
DEFAULT_PER_ADDRESS = Rate(100, 10)


class Windows(abc.ABC):
    """Sliding windows of message times, one per key."""

    @abc.abstractmethod
    async def admit(self, key: str, rate: Rate) -> bool:
        """Count a message under `key` and return True, unless `rate` is already reached (False)."""

    async def close(self) -> None:  # noqa: B027 (nothing to release in the process)
        """Release connections."""


class LocalWindows(Windows):
    """The windows of this process; the least recently used keys go beyond `max_keys`."""

    def __init__(self, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_keys = max_keys
        self._clock = clock
        self._times: OrderedDict[str, deque[float]] = OrderedDict()

    async def admit(self, key: str, rate: Rate) -> bool:
        now = self._clock()
        times = self._times.pop(key, None) or deque()
        self._times[key] = times
        while times and times[0] <= now - rate.seconds:
            times.popleft()
        while len(self._times) > self.max_keys:
            self._times.popitem(last=False)
        if len(times) >= rate.messages:
            return False
        times.append(now)
        return True


# KEYS[1] the window; ARGV: window in ms, limit, a unique member. Redis's clock, so that instances
# on several machines share one time.
_ADMIT = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], ms, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 1
"""


class RedisWindows(Windows):
    """The windows shared by every instance: a sorted set per key under `prefix` in Redis."""

    def __init__(self, client: Any, prefix: str = KEY_PREFIX) -> None:
        self.client = client  # a redis.asyncio.Redis
        self.prefix = prefix
        self._admit = client.register_script(_ADMIT)

    async def admit(self, key: str, rate: Rate) -> bool:
        from redis.exceptions import RedisError

        try:
            return bool(await self._admit(keys=[self.prefix + key],
                                          args=[int(rate.seconds * 1000), rate.messages, uuid.uuid4().hex]))
        except RedisError as error:
            logger.error("Redis unreachable (%s): a message of %s let through without a rate limit", error, key)
            return True

    async def close(self) -> None:
        await self.client.close()


_PROCESS_WINDOWS = LocalWindows()  # one per process: every channel counts an address together


def windows_for(redis_url: str) -> Windows:
    """Redis windows (a client of their own) when `redis_url` is set, the process's otherwise."""
    if not redis_url:
        return _PROCESS_WINDOWS
    return RedisWindows(redis_client(redis_url))


@dataclass
class RateLimits:
    """The limits per conversation and per untrusted address, and where their windows live."""

    per_conversation: Rate | None
    per_address: Rate | None
    windows: Windows

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RateLimits:
        env = os.environ if env is None else env
        return cls(Rate.parse(env.get(RATE_LIMIT_ENV), DEFAULT_PER_CONVERSATION),
                   Rate.parse(env.get(ADDRESS_RATE_LIMIT_ENV), DEFAULT_PER_ADDRESS),
                   windows_for(env.get(REDIS_URL_ENV, "")))

    async def admit(self, conversation_id: str, address: str | None = None) -> bool:
        """Count a message of `conversation_id` from `address` (None: not limited per address,
        as for WeChat's servers or a trusted address); False when a limit is reached."""
        if self.per_address and address and not await self.windows.admit(f"address:{address}", self.per_address):
            return False
        return not self.per_conversation or await self.windows.admit(f"conversation:{conversation_id}",
                                                                     self.per_conversation)

    def describe(self) -> str:
        where = "shared in Redis" if isinstance(self.windows, RedisWindows) else "in this process"
        return (f"per conversation {self.per_conversation or 'off'}, per untrusted address "
                f"{self.per_address or 'off'} ({where})")

    async def close(self) -> None:
        await self.windows.close()
