"""Access requests: someone asks to be let into the portal; staff approve (the customer is
created and invited) or reject (with a reason)."""

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import AccessRequest, AuditEvent, Role, User
from servicedesk.accounts.services.audit import audit_record, client_ip
from servicedesk.accounts.services.users import MembershipData, full_clean_or_error, user_create
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.customers.models import Company


@transaction.atomic
def access_request_create(
    *,
    full_name: str,
    company_name: str,
    email: str = "",
    phone: str = "",
    position: str = "",
    comment: str = "",
    language: str = "",
    requested_by: User | None = None,
    company: Company | None = None,
    request: HttpRequest | None = None,
) -> AccessRequest:
    access_request = AccessRequest(
        full_name=full_name.strip(),
        email=email.strip().lower(),
        phone=phone,
        company_name=company_name.strip(),
        position=position,
        comment=comment,
        language=language,
        requested_by=requested_by,
        company=company,
        ip=client_ip(request),
    )
    full_clean_or_error(access_request)
    access_request.save()
    audit_record(
        kind=AuditEvent.Kind.ACCESS_REQUESTED, actor=requested_by, request=request,
        identifier=access_request.email or str(access_request.phone),
        access_request=access_request.pk,
    )  # fmt: skip
    return access_request


def _pending(access_request: AccessRequest) -> AccessRequest:
    locked = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if locked.status != AccessRequest.Status.PENDING:
        raise ApplicationError(_("This request has already been decided."), code=ErrorCode.DECIDED)
    return locked


@transaction.atomic
def access_request_approve(
    *,
    by: User,
    access_request: AccessRequest,
    membership: MembershipData,
    request: HttpRequest | None = None,
) -> User:
    """Create the customer with the chosen company and scope, and invite them."""
    locked = _pending(access_request)
    user = user_create(
        by=by,
        full_name=locked.full_name,
        role=Role.CUSTOMER,
        email=locked.email or None,
        phone=str(locked.phone or ""),
        position=locked.position,
        language=locked.language,
        memberships=[membership],
        request=request,
    )
    locked.status = AccessRequest.Status.APPROVED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.user = user
    locked.save()
    audit_record(
        kind=AuditEvent.Kind.ACCESS_APPROVED, actor=by, user=user, request=request,
        access_request=locked.pk,
    )  # fmt: skip
    return user


@transaction.atomic
def access_request_reject(
    *, by: User, access_request: AccessRequest, reason: str, request: HttpRequest | None = None
) -> AccessRequest:
    """Refuse with a reason; the person is told by email when they gave an address."""
    from servicedesk.accounts import tasks

    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Give the reason for the rejection."), code=ErrorCode.NO_REASON)
    locked = _pending(access_request)
    locked.status = AccessRequest.Status.REJECTED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.rejection_reason = reason
    locked.save()
    audit_record(
        kind=AuditEvent.Kind.ACCESS_REJECTED, actor=by, request=request,
        identifier=locked.email or str(locked.phone), access_request=locked.pk,
    )  # fmt: skip
    if locked.email:
        transaction.on_commit(lambda: tasks.access_request_rejection_send(locked.pk))
    return locked
