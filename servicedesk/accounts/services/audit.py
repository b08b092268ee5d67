"""The audit trail: every change to people and their access records an AuditEvent, with
who did it and from where."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from servicedesk.accounts.models import AuditEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    from allauth.account.adapter import get_adapter

    try:
        ip: str | None = get_adapter().get_client_ip(request)
    except PermissionDenied:  # no usable address (e.g. a request built in code)
        return None
    return ip


def audit_record(
    *,
    kind: str,
    actor: User | None = None,
    user: User | None = None,
    request: HttpRequest | None = None,
    identifier: str = "",
    **details: Any,
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        user=user,
        identifier=identifier[:254],
        ip=client_ip(request),
        user_agent=(request.headers.get("user-agent", "")[:300] if request else ""),
        details=details,
    )
