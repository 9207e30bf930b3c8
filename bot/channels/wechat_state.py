"""Small in-process memories of the WeChat channel, each bounded in size and time.

Used for the messages already taken (WeChat retries a message it got no answer to within 5 s) and
for the numbered options last offered to each follower. They live in the Rasa process: with
several Rasa instances behind a load balancer, a retry or a number can reach an instance that
has not seen the original (docs/wechat.md says so).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

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
