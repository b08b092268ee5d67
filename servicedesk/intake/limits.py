"""Counting hits per hour in the cache, for limits a setting cannot hold (each web form sets its
own) or that must count GET requests too (guessing status links): a fixed one-hour window per
key (`cache.add` then `cache.incr`: atomic in Redis and in the local-memory cache).

The per-client-address limits that are the same for every form use allauth's rate limits
(ACCOUNT_RATE_LIMITS in config/settings.py), as the other public pages do. A cache that is
cleared forgets the counts: a limit is a brake on abuse, not an accounting record. Keys hold
hashes, never the typed addresses.
"""

import hashlib
import time

from django.core.cache import cache

WINDOW = 3600


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
    return f"intake:rl:{scope}:{int(time.time()) // WINDOW}:{digest}"


def count(scope: str, value: str) -> int:
    return int(cache.get(_key(scope, value), 0))


def over(scope: str, value: str, limit: int) -> bool:
    """Has `value` reached `limit` hits this hour (without counting one)?"""
    return count(scope, value) >= limit


def hit(scope: str, value: str) -> int:
    """Count one hit; the count so far this hour."""
    key = _key(scope, value)
    cache.add(key, 0, WINDOW + 60)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW + 60)
        return 1
