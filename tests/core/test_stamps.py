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
