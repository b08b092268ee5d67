"""Reports as JSON, from the same selectors as the pages (servicedesk/reports): the customer's
report («Отчет для клиента»: `reports.view_client`, only the companies whose analytics the
customer reads — other ids are dropped, never trusted) and the provider's (`reports.view_provider`:
administrators and dispatchers). Anyone else: 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, is_dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from servicedesk.api.errors import ApiError, responses
from servicedesk.reports import client, provider

router = Router(tags=["reports"])
MAX_DAYS = 732


class Period(Schema):
    start: dt.date | None = Field(None, description="First day (local); default: 30 days ago.")
    end: dt.date | None = Field(None, description="Last day, included; default: today.")


class ClientParams(Period):
    mode: client.Mode = Field(client.Mode.CREATED, description="active, completed or created.")
    company_id: list[int] | None = Field(None, description="Some of your companies only.")


class ProviderParams(Period):
    company_id: int | None = Field(None, ge=1)
    ticket_type_id: int | None = Field(None, ge=1)
    assignee_id: int | None = Field(None, ge=1)
    origin: str | None = Field(None, max_length=20)


class ClientReportOut(Schema):
    start: dt.date
    end: dt.date
    mode: str
    company_ids: list[int]
    figures: dict[str, Any]
    by_type: list[dict[str, Any]]
    sla_by_month: list[dict[str, Any]]


class ProviderReportOut(Schema):
    start: dt.date
    end: dt.date
    open_now: int
    breaches: dict[str, Any]
    channels: dict[str, int]
    volume: list[dict[str, Any]]
    by_company: list[dict[str, Any]]


def _plain(value: Any) -> Any:
    """Dataclasses, dates, durations and decimals as JSON takes them."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _period(params: Period) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    end = params.end or today
    start = params.start or end - dt.timedelta(days=29)
    if start > end:
        raise ApiError(400, "period", _("The period ends before it starts."),
                       fields={"end": [_("Give an end on or after the start.")]})  # fmt: skip
    if (end - start).days > MAX_DAYS:
        raise ApiError(400, "period", _("Ask for at most two years at a time."),
                       fields={"start": [_("Ask for at most two years at a time.")]})  # fmt: skip
    return start, end


def _zone(request: HttpRequest) -> str:
    return str(getattr(request.user, "time_zone", "") or settings.TIME_ZONE)


@router.get(
    "/reports/client",
    response=responses({200: ClientReportOut}, 404),
    summary="The customer's report",
    description="The figures of the portal's «Analytics» page. Отчет для клиента.",
)
def client_report(request: HttpRequest, params: Query[ClientParams]) -> dict[str, Any]:
    user: Any = request.user
    if not (user.is_customer and user.has_perm("reports.view_client")):
        raise Http404  # the portal's page: customers only (an administrator holds every perm)
    allowed = {company.pk for company in client.analytics_companies(user)}
    chosen = allowed & set(params.company_id) if params.company_id else allowed
    start, end = _period(params)
    report = client.ClientReport(
        user=user,
        mode=params.mode,
        start=start,
        end=end,
        time_zone=_zone(request),
        company_ids=frozenset(chosen),
    )
    found = client.figures(report)
    return {
        "start": start,
        "end": end,
        "mode": str(params.mode),
        "company_ids": sorted(chosen),
        "figures": {**_plain(found), "overdue": found.overdue},
        "by_type": _plain(client.by_type(report)),
        "sla_by_month": _plain(client.sla_by_month(report)),
    }


@router.get(
    "/reports/provider",
    response=responses({200: ProviderReportOut}, 404),
    summary="The provider's report",
    description="Volumes, channels, breaches and companies of the back office's «Reports» "
    "page (administrators, dispatchers). Отчеты сервисной компании.",
)
def provider_report(request: HttpRequest, params: Query[ProviderParams]) -> dict[str, Any]:
    user: Any = request.user
    if not user.has_perm("reports.view_provider"):
        raise Http404
    start, end = _period(params)
    report = provider.ProviderReport(
        user=user,
        start=start,
        end=end,
        time_zone=_zone(request),
        company_id=params.company_id,
        ticket_type_id=params.ticket_type_id,
        assignee_id=params.assignee_id,
        origin=params.origin,
    )
    found = provider.groups(report)
    return {
        "start": start,
        "end": end,
        "open_now": provider.open_now(report),
        "breaches": _plain(provider.breaches(report)),
        "channels": _plain(provider.channels(report, found)),
        "volume": _plain(provider.volume(report, found)),
        "by_company": _plain(provider.by_company(report)),
    }
