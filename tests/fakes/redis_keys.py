"""The real Redis (127.0.0.1:6379, TEST_REDIS_URL) as the tests read it: keys under a test's own
prefix, looked at and removed afterwards (the `redis_prefix` fixture in tests/conftest.py)."""

from __future__ import annotations

import os

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def delete_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def window(key: str) -> tuple[int, int]:
    """A rate-limit window in Redis (bot/guard/rate.py): (messages in it, milliseconds it lives)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        return client.zcard(key), client.pttl(key)
    finally:
        client.close()
