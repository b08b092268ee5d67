"""Case-insensitive matching of Cyrillic on SQLite (core/sqlite.py), and the same on PostgreSQL."""

import pytest

from servicedesk.accounts.models import User
from servicedesk.core.sqlite import _like
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("%анна%", "Анна Альфина", True),
        ("%АЛЬФ%", "Анна Альфина", True),
        ("%ёлка%", "ЁЛКА", True),
        ("a_c", "ABC", True),
        ("a_c", "abbc", False),
        ("100\\%", "100%", True),  # escaped wildcard
        ("100\\%", "1000", False),
        ("%", None, None),
    ],
)
def test_like_folds_unicode_case_and_honours_wildcards(pattern, value, expected):
    escape = "\\" if "\\" in pattern else None
    assert _like(pattern, value, escape) is expected


def test_icontains_finds_cyrillic_in_any_case():
    anna = UserFactory(full_name="Анна Альфина")
    UserFactory(full_name="Борис Бетов")

    assert list(User.objects.filter(full_name__icontains="анна")) == [anna]
    assert list(User.objects.filter(full_name__icontains="АЛЬФИНА")) == [anna]
    assert list(User.objects.filter(full_name__icontains="100%")) == []
