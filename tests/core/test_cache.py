"""The Redis cache backend (servicedesk/core/cache.py): Django's, with one client object per
connection pool instead of a new one for every operation. Runs against the machine's Redis."""

import uuid
import warnings

import pytest
import redis

from servicedesk.core.cache import PooledClientRedisCache

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def cache() -> PooledClientRedisCache:
    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.ConnectionError:  # pragma: no cover (make test runs with Redis)
        pytest.skip("no Redis on 127.0.0.1:6379")
    return PooledClientRedisCache(REDIS, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


def test_every_operation_uses_the_same_client_object(cache: PooledClientRedisCache) -> None:
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client
    assert cache._cache.get_client("key", write=False) is client


def test_it_stores_reads_and_forgets_as_djangos_backend_does(cache: PooledClientRedisCache) -> None:
    # Given values set one by one and several at once
    cache.set("a", {"n": 1}, 60)
    cache.set_many({"b": 2, "c": "three"}, None)
    assert cache.add("a", "other") is False
    # Then they read back, alone and together, and go when deleted or expired
    assert cache.get("a") == {"n": 1}
    assert cache.get_many(["a", "b", "c", "missing"]) == {"a": {"n": 1}, "b": 2, "c": "three"}
    assert cache.incr("b") == 3
    cache.delete_many(["a", "b"])
    cache.set("gone", 1, 0)
    assert cache.get_many(["a", "b", "c", "gone"]) == {"c": "three"}
    cache.delete("c")


def test_values_without_expiry_are_written_in_one_command(cache: PooledClientRedisCache) -> None:
    # Given the commands the client sends
    client = cache._cache.get_client(write=True)
    sent: list[str] = []
    execute = client.execute_command
    client.execute_command = lambda *args, **kw: sent.append(args[0]) or execute(*args, **kw)
    pipelines = client.pipeline
    client.pipeline = lambda *a, **k: sent.append("pipeline") or pipelines(*a, **k)
    # When versions are written (no expiry), and then values that expire
    cache.set_many({"v1": "a", "v2": "b"}, None)
    assert sent == ["MSET"]
    cache.set_many({"e1": 1}, 60)
    # Then both read back, and only the second expires
    assert cache.get_many(["v1", "v2", "e1"]) == {"v1": "a", "v2": "b", "e1": 1}
    raw = redis.Redis.from_url(REDIS)
    assert raw.ttl(cache.make_key("v1")) == -1
    assert 0 < raw.ttl(cache.make_key("e1")) <= 60


def test_keys_are_not_walked_for_memcached_limits(cache: PooledClientRedisCache) -> None:
    # A key memcached would refuse (a space, 300 characters) is an ordinary Redis key
    key = "with space " + "x" * 300
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache.set(key, 1, 60)
        assert cache.get(key) == 1
