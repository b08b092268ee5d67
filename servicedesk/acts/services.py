"""Changes made to acts' data: «Наша компания», and the acts' running numbers."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from servicedesk.accounts.models import User
from servicedesk.acts import numbering
from servicedesk.acts.models import SINGLETON_ID, ActSequence, OurCompany


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
