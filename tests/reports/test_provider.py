"""The provider's reports counted by hand: eight tickets at companies A and B over May–June 2026,
a period of six weeks (Monday 4 May – Sunday 14 June), every figure worked out in the comments.

    T1 A  filed 1 May 09:00 (before the period)  closed; resolved 6 May 09:00 (120 h), due 5 May
          (late), answered in 1 h; engineer; phone; rated 2 May (before the period)
    T2 A  filed 4 May 10:00  resolved 5 May 10:00 (24 h), due 6 May (met); answered in 1 h (due
          in 2 h); engineer; portal; rated quality 5, speed 4 on 6 May
    T3 A  filed 5 May 10:00  in progress, due 7 May (open past it: late); answered in 8 h (due
          in 4 h: late); engineer; email
    T4 A  filed 12 May 10:00  new, nobody assigned, no deadlines; portal
    T5 A  filed 12 May 12:00  cancelled unanswered (deadlines missed nothing); email
    T6 B  filed 20 May 08:00  closed; resolved 22 May 08:00 (48 h), due 25 May; answered in 4 h
          (due in 4 h: met, on the minute); dispatcher; phone; rated quality 3, speed 2 on 23 May
    T7 A  filed 20 June (after the period)  new, nobody assigned
    T8 A  filed 25 May 09:00  waiting for the customer since 26 May 09:00, due 27 May (the clock
          stopped before it: not late); answered in 30 min (due in 1 h); engineer; portal
"""

import datetime as dt

import pytest

from servicedesk.conversations.models import SurveyRating, SurveyResponse
from servicedesk.customers.models import TicketType
from servicedesk.reports import provider
from servicedesk.reports.provider import (
    Bucket,
    ProviderReport,
    bucket_for,
    percentile,
)
from servicedesk.tickets.models import Origin, Status, Ticket
from tests.conftest import World
from tests.conversations.test_surveys import criteria
from tests.factories import SlaRuleFactory, TicketFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 30, 12, tzinfo=UTC)
H = dt.timedelta(hours=1)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def make(world: World, company: str = "A", *, created: dt.datetime, status: str = Status.NEW,
         origin: str = Origin.PORTAL, assignee: str | None = None, kind: str = "test-type",
         **fields: object) -> Ticket:  # fmt: skip
    ticket = TicketFactory(
        company=world.companies[company],
        contact=world.users["cust_a"],
        status=status,
        origin=origin,
        assignee=world.users[assignee] if assignee else None,
        ticket_type=TicketType.objects.get_or_create(code=kind, defaults={"name_ru": kind})[0],
    )
    values = {"created_at": created, "due_at": None, "first_response_due_at": None} | fields
    Ticket.objects.filter(pk=ticket.pk).update(**values)
    ticket.refresh_from_db()
    return ticket


def rate(ticket: Ticket, when: dt.datetime, **scores: int) -> None:
    quality, speed = criteria()
    response = SurveyResponse.objects.create(ticket=ticket)
    SurveyResponse.objects.filter(pk=response.pk).update(created_at=when)
    for criterion in (quality, speed):
        if criterion.code in scores:
            SurveyRating.objects.create(
                response=response, criterion=criterion, score=scores[criterion.code]
            )


@pytest.fixture
def data(world: World) -> World:
    t1 = make(world, created=at(5, 1), status=Status.CLOSED, origin=Origin.PHONE,
              assignee="engineer", resolved_at=at(5, 6), closed_at=at(5, 8), due_at=at(5, 5),
              first_response_due_at=at(5, 1, 13), first_responded_at=at(5, 1, 10))  # fmt: skip
    t2 = make(world, created=at(5, 4, 10), status=Status.RESOLVED, assignee="engineer",
              resolved_at=at(5, 5, 10), due_at=at(5, 6, 10),
              first_response_due_at=at(5, 4, 12), first_responded_at=at(5, 4, 11))  # fmt: skip
    make(world, created=at(5, 5, 10), status=Status.IN_PROGRESS, origin=Origin.EMAIL,
         assignee="engineer", due_at=at(5, 7, 10), first_response_due_at=at(5, 5, 14),
         first_responded_at=at(5, 5, 18), kind="repair")  # fmt: skip
    make(world, created=at(5, 12, 10))
    make(world, created=at(5, 12, 12), status=Status.CANCELLED, origin=Origin.EMAIL,
         due_at=at(5, 14), first_response_due_at=at(5, 12, 16))  # fmt: skip
    t6 = make(world, "B", created=at(5, 20, 8), status=Status.CLOSED, origin=Origin.PHONE,
              assignee="dispatcher", resolved_at=at(5, 22, 8), closed_at=at(5, 23),
              due_at=at(5, 25), first_response_due_at=at(5, 20, 12),
              first_responded_at=at(5, 20, 12))  # fmt: skip
    make(world, created=at(6, 20))
    make(world, created=at(5, 25), status=Status.WAITING, assignee="engineer",
         sla_paused_at=at(5, 26), due_at=at(5, 27), first_response_due_at=at(5, 25, 10),
         first_responded_at=at(5, 25, 9, 30))  # fmt: skip
    rate(t1, at(5, 2), quality=1)
    rate(t2, at(5, 6), quality=5, speed=4)
    rate(t6, at(5, 23), quality=3, speed=2)
    return world


def report(world: World, **kw: object) -> ProviderReport:
    values: dict[str, object] = {
        "user": world.users["dispatcher"],
        "start": dt.date(2026, 5, 4),
        "end": dt.date(2026, 6, 14),
        "time_zone": "UTC",
        "now": NOW,
    }
    return ProviderReport(**(values | kw))  # type: ignore[arg-type]


def test_buckets_follow_the_period_length() -> None:
    day = dt.date(2026, 5, 1)
    assert bucket_for(day, day) == Bucket.DAY
    assert bucket_for(day, dt.date(2026, 5, 31)) == Bucket.DAY  # 31 days
    assert bucket_for(day, dt.date(2026, 6, 1)) == Bucket.WEEK
    assert bucket_for(day, dt.date(2026, 11, 2)) == Bucket.WEEK  # 186 days
    assert bucket_for(day, dt.date(2026, 11, 3)) == Bucket.MONTH


def test_percentile_is_percentile_cont() -> None:
    hours = [dt.timedelta(hours=h) for h in (8, 0.5, 4, 1)]
    assert percentile(hours, 0.5) == 2.5 * H  # between 1 h and 4 h
    assert percentile(hours, 0.9) == 6.8 * H  # rank 2.7: 4 h + 0.7 × 4 h
    assert percentile(hours[:1], 0.9) == 8 * H
    assert percentile([], 0.5) is None


def test_volume_and_backlog_per_week(data: World) -> None:
    weeks = provider.volume(report(data))
    mondays = [dt.date(2026, 5, 4) + dt.timedelta(weeks=i) for i in range(6)]
    assert [w.start for w in weeks] == mondays
    # Filed: T2 T3 | T4 T5 | T6 | T8; resolved: T1 T2 | – | T6.
    assert [w.created for w in weeks] == [2, 2, 1, 1, 0, 0]
    assert [w.resolved for w in weeks] == [2, 0, 1, 0, 0, 0]
    # Open at the start: T1 (done 6 May). Then T3; T3 T4 (T5 cancelled: not counted); T6 came
    # and went; T8 came.
    assert provider.backlog_at(report(data), at(5, 4, 0)) == 1
    assert [w.backlog for w in weeks] == [1, 2, 2, 3, 3, 3]
    assert weeks[-1].until == at(6, 15, 0)


def test_volume_per_day_and_month(data: World) -> None:
    days = provider.volume(report(data, start=dt.date(2026, 5, 4), end=dt.date(2026, 5, 13)))
    assert len(days) == 10
    busy = [
        (d.start.day, d.created, d.resolved, d.backlog) for d in days if d.created or d.resolved
    ]
    assert busy == [
        (4, 1, 0, 2), (5, 1, 1, 2), (6, 0, 1, 1), (12, 2, 0, 2)
    ]  # fmt: skip
    months = provider.volume(report(data, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)))
    assert [(m.start.month, m.created, m.resolved) for m in months[4:6]] == [(5, 7, 3), (6, 1, 0)]
    assert months[5].backlog == 4  # T3 T4 T8, and T7 of 20 June
    assert months[-1].until == NOW  # the bucket under way ends now


def test_response_and_resolution_times(data: World) -> None:
    response = provider.response_times(report(data))
    # Answered: T2 1 h, T3 8 h, T6 4 h, T8 30 min.
    assert response.count == 4
    assert response.median == 2.5 * H and response.p90 == 6.8 * H
    # With a deadline: met T2 T6 T8, missed T3; T5 cancelled unanswered is neither.
    assert (response.met, response.measured) == (3, 4) and response.share == 0.75
    resolution = provider.resolution_times(report(data))
    # Done in the period: T1 120 h, T2 24 h, T6 48 h.
    assert resolution.count == 3
    assert resolution.median == 48 * H
    assert resolution.p90 == 105.6 * H  # rank 1.8: 48 h + 0.8 × 72 h
    assert (resolution.met, resolution.measured) == (2, 3)


def test_breaches_by_company_and_rule(data: World) -> None:
    rule = SlaRuleFactory(name="Стандарт")
    beta = SlaRuleFactory(name="Бета", companies=[data.companies["B"]])
    b = provider.breaches(report(data))
    # Filed in the period with deadlines: T2 T3 T5 T6 T8; late: T3's answer, T3 open past due.
    assert (b.with_response_deadline, b.response) == (5, 1)
    assert (b.with_resolution_deadline, b.resolution) == (5, 1)
    by_company = provider.breaches_by_company(report(data))
    assert by_company[data.companies["A"].pk] == provider.Breaches(4, 1, 4, 1)
    assert by_company[data.companies["B"].pk] == provider.Breaches(1, 0, 1, 0)
    by_rule, rules = provider.breaches_by_rule(report(data))
    assert by_rule == {
        rule.pk: provider.Breaches(4, 1, 4, 1),
        beta.pk: provider.Breaches(1, 0, 1, 0),
    }
    assert rules[beta.pk].name == "Бета"
    # Without rules every deadline is "set by hand".
    rule.delete()
    beta.delete()
    from servicedesk.sla.matching import reference_changed

    reference_changed()
    assert provider.breaches_by_rule(report(data))[0] == {
        provider.NO_RULE: provider.Breaches(5, 1, 5, 1)
    }


def test_breaches_follow_the_clock() -> None:
    # A paused clock is judged when it stopped; sla.services.deadline_missed agrees.
    from servicedesk.sla.services import deadline_missed

    assert not deadline_missed(at(5, 27), done_at=None, now=NOW, is_open=True, paused_at=at(5, 26))
    assert deadline_missed(at(5, 27), done_at=None, now=NOW, is_open=True, paused_at=at(5, 28))


def test_per_engineer(data: World) -> None:
    staff = [data.users["engineer"].pk, data.users["dispatcher"].pk]
    rows = {r.user_id: r for r in provider.by_engineer(report(data), staff)}
    engineer = rows[data.users["engineer"].pk]
    assert (engineer.open_now, engineer.resolved) == (2, 2)  # T3 T8 open; T1 T2 done
    assert engineer.mean_resolution == 72 * H  # (120 h + 24 h) / 2
    assert engineer.csat.average == 4.5 and engineer.csat.count == 2  # T2: 5 and 4
    dispatcher = rows[data.users["dispatcher"].pk]
    assert (dispatcher.open_now, dispatcher.resolved) == (0, 1)
    assert dispatcher.mean_resolution == 48 * H and dispatcher.csat.average == 2.5
    nobody = rows[None]
    assert (nobody.open_now, nobody.resolved) == (2, 0)  # T4 T7
    assert nobody.mean_resolution is None and nobody.csat.average is None


def test_per_company_and_satisfaction(data: World) -> None:
    rows = {r.company_id: r for r in provider.by_company(report(data))}
    a, b = rows[data.companies["A"].pk], rows[data.companies["B"].pk]
    assert (a.created, a.resolved, a.overdue_now) == (5, 2, 2)  # overdue now: T3, T8
    assert (b.created, b.resolved, b.overdue_now) == (1, 1, 0)
    assert a.csat.average == 4.5 and b.csat.average == 2.5
    quality, speed = criteria()
    by_criterion = provider.satisfaction_by(report(data), "criterion_id")
    # T1's rating came before the period.
    assert by_criterion[quality.pk].average == 4.0 and by_criterion[quality.pk].count == 2
    assert by_criterion[speed.pk].average == 3.0
    assert provider.satisfaction(by_criterion.values()).average == 3.5  # 14 / 4


def test_channels(data: World) -> None:
    assert provider.channels(report(data)) == {"portal": 3, "email": 2, "phone": 1}


def test_filters(data: World) -> None:
    engineer = data.users["engineer"].pk
    assert sum(v.created for v in provider.volume(report(data, assignee_id=engineer))) == 3
    assert provider.channels(report(data, origin="phone")) == {"phone": 1}
    b = report(data, company_id=data.companies["B"].pk)
    assert provider.resolution_times(b).median == 48 * H
    repair = TicketType.objects.get(code="repair").pk
    assert provider.response_times(report(data, ticket_type_id=repair)).median == 8 * H
    # Nothing matches: no figure, no error.
    empty = report(data, company_id=data.companies["B"].pk, origin="email")
    assert provider.response_times(empty).median is None
    assert provider.by_company(empty) == []


def test_only_staff_count_anything(data: World) -> None:
    # The queries start from visible_to(): a customer's report would count their tickets only.
    assert provider.channels(report(data, user=data.users["cust_b"])) == {"phone": 1}
    assert provider.channels(report(data, user=data.users["cust_none"])) == {}
