"""The audit log page: administrators only, filters, the viewer's time zone, query count."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from servicedesk.accounts.models import AuditEvent
from tests.backoffice.test_people import en_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("backoffice:audit_log")
UTC = dt.UTC


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def log(db):
    admin = UserFactory(admin=True, time_zone="Asia/Vladivostok", full_name="Ada Admin")
    anna = UserFactory(full_name="Anna Customer", email="anna@alfa.test")
    boris = UserFactory(full_name="Boris Customer", email="boris@beta.test")
    AuditEvent.objects.all().delete()
    events = {
        "created": AuditEvent.objects.create(
            kind="user_created", actor=admin, user=anna, created_at=at(1)
        ),
        "failed": AuditEvent.objects.create(
            kind="login_failed", identifier="anna@alfa.test", ip="203.0.113.7", created_at=at(2)
        ),
        "login": AuditEvent.objects.create(
            kind="login", actor=anna, user=anna, ip="203.0.113.7", created_at=at(3)
        ),
        "role": AuditEvent.objects.create(
            kind="role_changed",
            actor=admin,
            user=boris,
            created_at=at(4, 15),
            details={"old": "engineer", "new": "dispatcher"},
        ),
    }
    return {"admin": admin, "anna": anna, "boris": boris, **events}


def shown(response) -> list[int]:
    return [e.pk for e in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["role", "login", "failed", "created"]),
        ("?kind=login_failed", ["failed"]),
        ("?user={anna}", ["login", "created"]),
        ("?q=ALFA.test", ["failed"]),
        ("?since=2026-03-02&until=2026-03-03", ["login", "failed"]),
        # Days are the viewer's (UTC+10): 4 March 15:00 UTC is already 5 March there.
        ("?since=2026-03-05", ["role"]),
        ("?until=2026-03-04", ["login", "failed", "created"]),
        ("?kind=login&user={anna}&since=2026-03-01", ["login"]),
        ("?kind=nonsense&since=yesterday&user=abc", ["role", "login", "failed", "created"]),
    ],
)
def test_audit_log_filters(log, query, expected):
    query = query.format(anna=log["anna"].pk)

    response = en_client(log["admin"]).get(URL + query)

    assert response.status_code == 200
    assert shown(response)[-len(expected) :] == [log[key].pk for key in expected]
    # (the admin's own sign-in for this request may be logged on top)
    assert set(shown(response)) - {log[k].pk for k in expected} <= set(
        AuditEvent.objects.filter(kind="login", user=log["admin"]).values_list("pk", flat=True)
    )


def test_audit_log_rows_are_readable_and_in_the_viewers_time_zone(log):
    response = en_client(log["admin"]).get(URL + f"?user={log['boris'].pk}")

    html = response.content.decode()
    row = html.split('data-testid="audit-row"')[1].split("</tr>")[0]
    assert "5 Mar 2026, 01:00" in row  # 15:00 UTC = 01:00 next day in Vladivostok
    assert "Role changed" in row
    assert "Ada Admin" in row and "Boris Customer" in row
    assert "from: Engineer; to: Dispatcher" in row
    assert 'data-testid="user-filter"' in html and "Boris Customer" in html


def test_audit_log_query_count_is_bounded(log, django_assert_max_num_queries):
    client = en_client(log["admin"])
    with django_assert_max_num_queries(6):
        client.get(URL)
    people = [UserFactory() for _ in range(20)]
    AuditEvent.objects.bulk_create(
        AuditEvent(kind="login", actor=p, user=p, created_at=at(6)) for p in people * 3
    )
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert len(response.context["page"].object_list) == 50
    with django_assert_max_num_queries(7):
        client.get(URL + f"?user={people[0].pk}")


def test_the_detail_page_links_to_the_persons_audit_log(log):
    html = (
        en_client(log["admin"])
        .get(reverse("backoffice:person_detail", args=[log["anna"].pk]))
        .content.decode()
    )

    assert f'href="/backoffice/audit/?user={log["anna"].pk}"' in html
    assert "User created" in html and "Signed in" in html


def test_an_import_reads_as_a_sentence(db):
    from servicedesk.accounts.models import AuditEvent
    from servicedesk.backoffice.people.audit import details_text

    event = AuditEvent(
        kind=AuditEvent.Kind.IMPORTED,
        details={
            "file": "people.xlsx",
            "rows": 3,
            "created": 2,
            "updated": 1,
            "unchanged": 0,
            "invited": 2,
        },
    )
    with translation.override("en"):
        assert details_text(event) == (
            "File people.xlsx, 3 rows: 2 added, 1 updated, 0 unchanged, 2 invited."
        )
    with translation.override("ru"):
        assert "people.xlsx" in details_text(event) and "file:" not in details_text(event)
