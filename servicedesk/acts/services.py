"""Changes made to acts' data: «Наша компания», the acts' running numbers, and issuing a
ticket's act."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.acts import numbering
from servicedesk.acts.models import SINGLETON_ID, Act, ActSequence, OurCompany
from servicedesk.acts.selectors import our_company
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.notifications import events
from servicedesk.tickets.models import Ticket
from servicedesk.works.models import CompletedWork


@transaction.atomic
def our_company_save(*, by: User, company: OurCompany) -> OurCompany:
    """Validate and save the provider's requisites and act settings (the one row), noting who
    changed them. Raises ValidationError with the fields' messages."""
    company.id = SINGLETON_ID
    company.updated_by = by
    company.full_clean()
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError:  # another administrator saved the first version a moment before
        company.save(force_update=True)
    return company


@transaction.atomic
def act_sequence_next(*, mask: str, ticket: str, day: date) -> int:
    """The next running number for an act numbered by `mask` ({seq}), counted per the mask's
    other tokens filled in (acts/numbering.py). The counter's row stays locked until the
    caller's transaction commits (PostgreSQL's row lock, SQLite's write lock), so two acts
    made at once get two numbers; a number whose act fails to save is rolled back with it."""
    key = numbering.sequence_key(mask, ticket=ticket, day=day)
    counters = ActSequence.objects.filter(key=key)
    if not counters.update(last_value=F("last_value") + 1):
        try:
            with transaction.atomic():
                ActSequence.objects.create(key=key, last_value=1)
            return 1
        except IntegrityError:  # another transaction created it first
            counters.update(last_value=F("last_value") + 1)
    return int(counters.values_list("last_value", flat=True).get())


@transaction.atomic
def act_issue(*, by: User, ticket: Ticket) -> Act:
    """Issue the ticket's act: its number (by «Наша компания»'s mask; a {seq} taken from the
    running counter in the same transaction) and today's date are fixed from now on. Who may
    record the ticket's works may issue it; it needs at least one completed work."""
    if not by.has_perm("works.change", ticket):
        raise PermissionDenied
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if Act.objects.filter(ticket=locked).exists():
        raise ApplicationError(
            _("The act of this ticket is issued already."), code=ErrorCode.ACT_EXISTS
        )
    if not CompletedWork.objects.filter(ticket=locked).exists():
        raise ApplicationError(
            _("Record the completed works first: the act is made from them."),
            code=ErrorCode.NO_WORKS,
        )
    settings = our_company()
    mask, day = settings.act_number_mask, timezone.localdate()
    seq = (
        act_sequence_next(mask=mask, ticket=locked.number, day=day)
        if numbering.uses_sequence(mask)
        else None
    )
    number = numbering.act_number(mask, ticket=locked.number, day=day, seq=seq)
    act = Act.objects.create(ticket=locked, number=number, issued_on=day, issued_by=by)
    # The customers hear of it once it is committed (bell and email: notifications).
    transaction.on_commit(lambda: events.act_issued(locked.pk, by.pk, act.pk, number))
    return act
