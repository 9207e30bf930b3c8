"""The asyncio Redis client of the channels' shared memories (WeChat's, the rate limits)."""

from __future__ import annotations

from typing import Any


def redis_client(url: str) -> Any:
    """An asyncio Redis client for `url` with short timeouts (a WeChat answer has 5 s in all);
    it connects on first use, in the event loop that uses it."""
    import redis.asyncio

    return redis.asyncio.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1,
                                        health_check_interval=30)
