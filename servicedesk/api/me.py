"""`GET /me`: who the caller is — the pattern every router follows (a schema, `responses()`,
a handler that reads through selectors and returns data)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from servicedesk.accounts.scopes import membership_scopes
from servicedesk.api.errors import responses
from servicedesk.customers.models import Company

router = Router(tags=["me"])


class MembershipOut(Schema):
    company_id: int
    company_name: str
    whole_company: bool = Field(description="Sees the whole company (or listed sites only).")
    sees_all_tickets: bool


class MeOut(Schema):
    id: int
    full_name: str
    email: str | None
    role: str = Field(description="admin, dispatcher, engineer or customer.")
    language: str
    is_staff: bool = Field(description="One of the provider's people (not a customer).")
    token_scope: str | None = Field(
        description="`read` or `read_write` for a token; none for a signed-in session."
    )
    memberships: list[MembershipOut]


@router.get(
    "/me",
    response=responses({200: MeOut}),
    summary="Who am I",
    description="The person the token (or session) acts as, and their companies. "
    "Кто я: владелец токена и его компании.",
)
def me(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    scopes = membership_scopes(user)
    names = dict(
        Company.objects.filter(pk__in=[s.company_id for s in scopes]).values_list("pk", "name")
    )
    token = getattr(request, "api_token", None)
    return {
        "id": user.pk,
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role,
        "language": user.language,
        "is_staff": user.is_provider_staff,
        "token_scope": token.scope if token is not None else None,
        "memberships": [
            {
                "company_id": s.company_id,
                "company_name": names.get(s.company_id, ""),
                "whole_company": s.whole_company,
                "sees_all_tickets": s.sees_all_tickets,
            }
            for s in scopes
        ],
    }
