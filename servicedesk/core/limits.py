"""Counting hits per fixed window in the cache, for limits that allauth's rate limits cannot
hold: a limit each object sets (a web form's own), GET requests (guessing status links or
passport tokens), the API's per-token and per-address calls. `cache.add` then `cache.incr`:
atomic in Redis (shared by every web process) and in the local-memory cache.

A cache that is cleared forgets the counts: a limit is a brake on abuse, not an accounting
record. Keys hold hashes, never the counted addresses or identities.
"""

import hashlib
import time

from django.core.cache import cache

WINDOW = 3600
UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int] | None:
    """A rate as settings write it — "600/min", "20/h/ip", "10/5m/ip,3/h/key" (its first part) —
    as (hits, seconds); empty: None (no limit)."""
    first = (rate or "").split(",")[0].strip()
    if not first:
        return None
    count, _slash, rest = first.partition("/")
    period = rest.partition("/")[0].strip() or "s"
    digits = period.rstrip("".join(sorted({c for u in UNITS for c in u})))
    return int(count), int(digits or 1) * UNITS[period[len(digits) :]]


def window_end(window: int = WINDOW) -> float:
    """Seconds until the current window ends (an answer's Retry-After)."""
    now = time.time()
    return (int(now // window) + 1) * window - now


def _key(scope: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
    return f"rl:{scope}:{window}:{int(time.time()) // window}:{digest}"


def count(scope: str, value: str, window: int = WINDOW) -> int:
    return int(cache.get(_key(scope, value, window), 0))


def over(scope: str, value: str, limit: int, window: int = WINDOW) -> bool:
    """Has `value` reached `limit` hits this window (without counting one)?"""
    return count(scope, value, window) >= limit


def hit(scope: str, value: str, window: int = WINDOW) -> int:
    """Count one hit; the count so far this window."""
    key = _key(scope, value, window)
    cache.add(key, 0, window + 60)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired or evicted between add and incr
        cache.set(key, 1, window + 60)
        return 1
