"""Rate counters in Redis: a sorted set per key, scored by time, expiring with the window."""
from __future__ import annotations

from datetime import datetime, timedelta

import redis

PREFIX = "journal:rate:"


class RedisCounters:
    def __init__(self, url: str):
        # Short timeouts: a Redis outage answers 503 quickly instead of holding a worker.
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def add(self, key: str, token: str, now: datetime, window: timedelta) -> int:
        name = PREFIX + key
        now_ms = int(now.timestamp() * 1000)
        window_ms = int(window.total_seconds() * 1000)
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, "-inf", now_ms - window_ms)
            pipe.zadd(name, {token: now_ms})
            pipe.zcard(name)
            pipe.pexpire(name, window_ms)
            _, _, count, _ = pipe.execute()
        return int(count)

    def remove(self, key: str, token: str) -> None:
        self._redis.zrem(PREFIX + key, token)

    def clear(self, key: str) -> None:
        self._redis.delete(PREFIX + key)
