"""Rate counters in Redis: a sorted set per key, scored by time, expiring with the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

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

    def claim(self, key: str, token: str, now: datetime, window: timedelta) -> bool:
        """Add (key, token) unless it is there already: of several processes claiming one token, one gets True."""
        name = PREFIX + key
        now_ms = int(now.timestamp() * 1000)
        window_ms = int(window.total_seconds() * 1000)
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, "-inf", now_ms - window_ms)
            pipe.zadd(name, {token: now_ms}, nx=True)
            pipe.pexpire(name, window_ms)
            _, added, _ = pipe.execute()
        return int(added) == 1

    def entries(self, key: str, now: datetime, window: timedelta) -> list[tuple[datetime, str]]:
        low = int((now - window).timestamp() * 1000) + 1
        # redis-py types the answer the same with or without scores; withscores=True (and raw bytes,
        # no decode_responses) gives (member, score) pairs.
        found = cast("list[tuple[bytes, float]]", self._redis.zrangebyscore(PREFIX + key, low, "+inf", withscores=True))
        rows = [(datetime.fromtimestamp(score / 1000, UTC), member.decode("ascii")) for member, score in found]
        return sorted(rows)

    def remove(self, key: str, token: str) -> None:
        self._redis.zrem(PREFIX + key, token)

    def clear(self, key: str) -> None:
        self._redis.delete(PREFIX + key)
