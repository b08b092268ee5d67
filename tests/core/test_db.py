"""`unflushed_commit`: a transaction that does not wait for the disk, on PostgreSQL only, and
only when it is a transaction of its own."""

import pytest
from django.db import connection, transaction

from servicedesk.core.db import unflushed_commit
from servicedesk.knowledge.models import SearchQuery


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_its_own_transaction_commits_without_waiting_for_the_disk() -> None:
    if connection.vendor != "postgresql":
        with unflushed_commit():
            SearchQuery.objects.create(text="x", results=0)
        assert SearchQuery.objects.filter(text="x").exists()
        return
    with unflushed_commit():
        assert _synchronous_commit() == "off"
        SearchQuery.objects.create(text="x", results=0)
    # Committed, and the setting ended with the transaction
    assert _synchronous_commit() == "on"
    assert SearchQuery.objects.filter(text="x").exists()


@pytest.mark.django_db(transaction=True)
def test_inside_another_transaction_the_outer_commit_decides() -> None:
    with transaction.atomic():
        with unflushed_commit(savepoint=False):
            if connection.vendor == "postgresql":
                assert _synchronous_commit() == "on"
            SearchQuery.objects.create(text="inner", results=0)
        transaction.set_rollback(True)
    assert not SearchQuery.objects.filter(text="inner").exists()


@pytest.mark.django_db(transaction=True)
def test_an_error_rolls_it_back() -> None:
    with pytest.raises(ValueError, match="boom"), unflushed_commit():
        SearchQuery.objects.create(text="lost", results=0)
        raise ValueError("boom")
    assert not SearchQuery.objects.exists()
