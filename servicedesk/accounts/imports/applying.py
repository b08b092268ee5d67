"""Applying a previewed import: all rows or none, through the account services."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from servicedesk.accounts import services
from servicedesk.accounts.imports.columns import SourceRow
from servicedesk.accounts.imports.planning import (
    CREATE,
    UPDATE,
    ImportPlan,
    RowPlan,
    import_plan,
)
from servicedesk.accounts.models import AuditEvent, Role, User
from servicedesk.core.errors import ApplicationError, ErrorCode


class ImportNotAppliedError(ApplicationError):
    """The rows no longer pass, or would now do something else than the preview showed."""

    def __init__(self, message: str, *, plan: ImportPlan):
        super().__init__(message, code=ErrorCode.NOT_APPLIED)
        self.plan = plan


@dataclass
class ImportResult:
    created: list[User] = field(default_factory=list)
    updated: list[User] = field(default_factory=list)
    unchanged: int = 0
    invited: int = 0


@transaction.atomic
def people_import_apply(
    *,
    by: User,
    rows: Sequence[SourceRow],
    previewed_actions: Sequence[str],
    send_invitations: bool,
    file_name: str = "",
    request: HttpRequest | None = None,
) -> ImportResult:
    """Check the rows again and apply them in one transaction: people are created and updated
    by the services (each with its own audit event); new customers are invited when asked; one
    IMPORTED event records the counts. Raises ImportNotAppliedError when the rows no longer pass or
    would now do something else than the preview showed."""
    plan = import_plan(rows, by=by)
    if not plan.is_valid:
        raise ImportNotAppliedError(
            _("Some rows are no longer valid; nothing was imported. Check them below."), plan=plan
        )
    if plan.actions != list(previewed_actions):
        raise ImportNotAppliedError(
            _("People changed since the preview; nothing was imported. Check the rows again."),
            plan=plan,
        )
    result = ImportResult()
    for row in plan.rows:
        try:
            if row.action == CREATE:
                invite = send_invitations and row.role == Role.CUSTOMER
                result.created.append(_create(row, by=by, invite=invite, request=request))
                result.invited += int(invite)
            elif row.action == UPDATE:
                result.updated.append(_update(row, by=by, request=request))
            else:
                result.unchanged += 1
        except (ApplicationError, IntegrityError) as error:
            message = error.message if isinstance(error, ApplicationError) else str(error)
            raise ApplicationError(
                _("Row %(line)s: %(message)s Nothing was imported.")
                % {"line": row.line, "message": message},
                code=ErrorCode.ROW_FAILED,
            ) from error
    services.audit_record(
        kind=AuditEvent.Kind.IMPORTED,
        actor=by,
        request=request,
        file=file_name[:200],
        rows=len(plan.rows),
        created=len(result.created),
        updated=len(result.updated),
        unchanged=result.unchanged,
        invited=result.invited,
    )
    return result


def _create(row: RowPlan, *, by: User, invite: bool, request: HttpRequest | None) -> User:
    return services.user_create(
        by=by,
        full_name=row.full_name,
        role=row.role,
        email=row.email or None,
        phone=row.phone,
        position=row.position,
        memberships=[services.MembershipData(company=c) for c in row.companies],
        send_invitation=invite,
        request=request,
    )


def _update(row: RowPlan, *, by: User, request: HttpRequest | None) -> User:
    user = row.user
    assert user is not None  # noqa: S101 -- an update row always has its person
    memberships = None
    if row.companies_changed:
        # Companies the person keeps keep their scope; new ones give the whole company.
        current = {m.company_id: m for m in user.memberships.all()}
        memberships = [
            services.MembershipData(
                company=company,
                scope=current[company.pk].scope,
                sites=list(current[company.pk].sites.all()),
                equipment=list(current[company.pk].equipment.all()),
                sees_all_tickets=current[company.pk].sees_all_tickets,
            )
            if company.pk in current
            else services.MembershipData(company=company)
            for company in row.companies
        ]
    if row.changed_fields or memberships is not None:
        services.user_update(
            by=by, user=user, memberships=memberships, request=request, **row.changed_fields
        )
    if row.role_changed:
        services.user_role_set(by=by, user=user, role=row.role, request=request)
    return user
