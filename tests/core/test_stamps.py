"""Versions (core/stamps.py) move at once and again when the transaction commits — once for all
the versions a transaction moved — and a rolled-back transaction leaves nothing pending."""

import pytest
from django.core.cache import cache
from django.db import transaction

from servicedesk.core import stamps

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_moved_at_once_and_again_after_the_commit() -> None:
    with transaction.atomic():
        stamps.bump(["a"])
        stamps.bump(["b", "a"])
        inside = cache.get_many(["a", "b"])
        assert set(inside) == {"a", "b"}
    after = cache.get_many(["a", "b"])
    assert after["a"] != inside["a"] and after["b"] != inside["b"]
    assert after["a"] == after["b"]  # one write for both


def test_a_rollback_leaves_the_next_transaction_its_own_moves() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        stamps.bump(["a"])
        raise RuntimeError
    with transaction.atomic():
        stamps.bump(["b"])
        inside = cache.get("b")
    assert cache.get("b") != inside


def test_a_savepoint_rolled_back_keeps_the_outer_moves() -> None:
    with transaction.atomic():
        stamps.bump(["a"])
        with pytest.raises(RuntimeError), transaction.atomic():
            stamps.bump(["b"])
            raise RuntimeError
        stamps.bump(["c"])
        inside = cache.get_many(["a", "c"])
    after = cache.get_many(["a", "c"])
    assert after["a"] != inside["a"] and after["c"] != inside["c"]


def test_outside_a_transaction_once() -> None:
    stamps.bump(["a"])
    assert cache.get("a")


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    reads: list[list[str]] = []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(list(keys)) or get_many(keys))
    return reads


def test_read_ahead_answers_later_reads_from_one_round_trip(monkeypatch) -> None:
    cache.set_many({"value": (("v1",), 42), "v": "v1"}, None)
    reads = _counting_reads(monkeypatch)

    with stamps.read_ahead(["value", "v", "absent"]):
        assert stamps.stamped("value", "v", lambda: 0, 60) == 42
        assert stamps.get_many(["absent", "v"]) == {"v": "v1"}  # an absent key stays absent
        assert stamps.get_many(["v", "not-read-ahead"]) == {"v": "v1"}  # asks the cache

    assert reads == [["value", "v", "absent"], ["v", "not-read-ahead"]]


def test_what_is_made_inside_is_what_the_next_read_sees(monkeypatch) -> None:
    cache.set("v", "v1", None)
    made = []
    with stamps.read_ahead(["value", "v"]):
        stamps.stamped("value", "v", lambda: made.append(1) or "fresh", 60)
        reads = _counting_reads(monkeypatch)
        assert stamps.stamped("value", "v", lambda: made.append(2) or "again", 60) == "fresh"
    assert made == [1] and reads == []


def test_a_move_inside_drops_what_was_read_ahead(monkeypatch) -> None:
    cache.set_many({"value": (("v1",), "old"), "v": "v1"}, None)
    with stamps.read_ahead(["value", "v"]):
        stamps.bump(["v"])  # outside a transaction: moved at once
        reads = _counting_reads(monkeypatch)
        assert stamps.stamped("value", "v", lambda: "new", 60) == "new"
    assert reads == [["value", "v"]]


def test_nested_read_ahead_adds_keys_kept_until_the_outermost_ends(monkeypatch) -> None:
    cache.set_many({"a": 1, "b": 2}, None)
    reads = _counting_reads(monkeypatch)
    with stamps.read_ahead(["a"]):
        with stamps.read_ahead(["a", "b"]):  # only "b" is read
            assert stamps.get_many(["a", "b"]) == {"a": 1, "b": 2}
        assert stamps.get_many(["a"]) == {"a": 1}
    stamps.get_many(["a"])
    assert reads == [["a"], ["b"], ["a"]]


def test_a_move_in_a_nested_block_drops_what_the_outer_one_read(monkeypatch) -> None:
    cache.set_many({"value": (("v1",), "old"), "v": "v1"}, None)
    with stamps.read_ahead(["value", "v"]):
        with stamps.read_ahead(["other"]):
            stamps.bump(["v"])
        reads = _counting_reads(monkeypatch)
        assert stamps.stamped("value", "v", lambda: "new", 60) == "new"
    assert reads == [["value", "v"]]
