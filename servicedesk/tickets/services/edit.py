"""Staff editing a ticket's fields, each checked on its own and together (places, contract)."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from django_countries.fields import Country

from servicedesk.accounts.models import User
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.customers.models import (
    Contract,
    Criticality,
    Equipment,
    Product,
    Site,
    TicketType,
    WorkType,
)
from servicedesk.tickets import events, hooks, workflow
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.common import _readable, _sla, _ticket_lock, _ticket_save
from servicedesk.tickets.services.create import (
    DESCRIPTION_MAX_LENGTH,
    _check_contract_covers,
    _check_equipment_on_site,
)

# ticket_update: what staff may edit; the fields that stand for the promise made to the
# customer (criticality, contract, deadline) are the dispatcher's; the ones the SLA deadlines
# are computed from make the sla app compute them again.
EDITABLE_FIELDS = (
    "subject",
    "description",
    "ticket_type",
    "criticality",
    "work_type",
    "site",
    "equipment",
    "contract",
    "product",
    "country",
    "due_at",
)
DISPATCH_FIELDS = frozenset({"criticality", "contract", "due_at"})
SLA_FIELDS = frozenset({"ticket_type", "criticality", "work_type", "site", "equipment", "contract"})
_REFERENCES: dict[str, tuple[type[Any], bool]] = {  # field → (model, required)
    "ticket_type": (TicketType, True),
    "criticality": (Criticality, True),
    "work_type": (WorkType, False),
    "product": (Product, False),
}
_PLACES: dict[str, type[Any]] = {"site": Site, "equipment": Equipment, "contract": Contract}


def _update_value(name: str, value: Any) -> Any:
    """One edited value checked on its own (type, length, active reference)."""
    if name == "subject":
        subject = str(value or "").strip()
        if not subject:
            raise ApplicationError(_("Give the subject."), code=ErrorCode.SUBJECT, field="subject")
        if len(subject) > Ticket._meta.get_field("subject").max_length:  # type: ignore[operator]
            raise ApplicationError(
                _("The subject is too long."), code=ErrorCode.SUBJECT, field="subject"
            )
        return subject
    if name == "description":
        description = str(value or "")
        if len(description) > DESCRIPTION_MAX_LENGTH:
            raise ApplicationError(
                _("The description is too long."), code=ErrorCode.DESCRIPTION, field="description"
            )
        return description
    if name == "country":
        code = str(value or "").strip()
        if code and not countries.alpha2(code):
            raise ApplicationError(_("Choose a country."), code=ErrorCode.COUNTRY, field="country")
        return countries.alpha2(code) if code else ""
    if name == "due_at":
        if value is not None and not (isinstance(value, datetime) and timezone.is_aware(value)):
            raise ApplicationError(
                _("Give a date and time."), code=ErrorCode.DUE_AT, field="due_at"
            )
        return value
    if name in _REFERENCES:
        model, required = _REFERENCES[name]
        if value is None and not required:
            return None
        if not isinstance(value, model) or not value.is_active:
            # The field's own code (ErrorCode.TICKET_TYPE, …), as for the subject or the country.
            raise ApplicationError(_("Choose one of the list."), code=ErrorCode(name), field=name)
        return value
    model = _PLACES[name]
    if value is not None and not isinstance(value, model):
        raise ApplicationError(_("Choose one of the list."), code=ErrorCode(name), field=name)
    return value


def _check_places(
    ticket: Ticket, site: Site | None, equipment: Equipment | None, contract: Contract | None
) -> None:
    """The place and contract belong to the ticket's company and fit together (as when a
    ticket is filed; the contact's own scope is not asked: they always see their tickets)."""
    if equipment is not None:
        if equipment.company_id != ticket.company_id:
            raise ApplicationError(
                _("Choose equipment of the ticket's company."),
                code=ErrorCode.EQUIPMENT,
                field="equipment",
            )
        _check_equipment_on_site(site, equipment)
    if site is not None and site.company_id != ticket.company_id:
        raise ApplicationError(
            _("Choose a site of the ticket's company."), code=ErrorCode.SITE, field="site"
        )
    if contract is not None:
        if contract.company_id != ticket.company_id:
            raise ApplicationError(
                _("Choose a contract of the ticket's company."),
                code=ErrorCode.CONTRACT,
                field="contract",
            )
        _check_contract_covers(contract, site, equipment)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, Model) or isinstance(new, Model):
        return getattr(old, "pk", None) == getattr(new, "pk", None)
    if isinstance(old, Country):
        old = old.code or ""
    return bool(old == new)


@transaction.atomic
def ticket_update(
    *, by: User, ticket: Ticket, changes: dict[str, Any], expected_version: int | None = None
) -> Ticket:
    """Staff edit the ticket's fields (EDITABLE_FIELDS; model instances for the references
    and places, an aware datetime or None for `due_at`). A deadline set here is kept as set
    by hand (`due_at_manual`); `due_at=None` gives the deadline back to the SLA. Each changed
    field is recorded old → new; nothing changed, nothing recorded."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)},
            code=ErrorCode.FIELD,
        )
    ticket = _ticket_lock(ticket, expected_version)
    if not by.has_perm(workflow.WORK_ON_TICKET, ticket):
        raise ApplicationError(
            _(
                "Only the engineer the ticket is assigned to, a dispatcher or an administrator "
                "can edit it."
            ),
            code=ErrorCode.FORBIDDEN,
        )
    dispatch_only = sorted(DISPATCH_FIELDS & set(changes))
    if dispatch_only and not by.has_perm(workflow.DISPATCH):
        raise ApplicationError(
            _(
                "Only a dispatcher or an administrator changes the criticality, the contract "
                "and the deadline."
            ),
            code=ErrorCode.FORBIDDEN,
            field=dispatch_only[0],
        )
    if ticket.status in workflow.FINAL_STAGES:
        raise ApplicationError(
            _("A closed or cancelled ticket cannot be edited; reopen it first."),
            code=ErrorCode.STAGE,
        )
    values = {name: _update_value(name, value) for name, value in changes.items()}
    new = {
        name: value
        for name, value in values.items()
        if name != "due_at" and not _same(getattr(ticket, name), value)
    }
    if any(name in new for name in _PLACES):
        site = new.get("site", ticket.site)
        equipment = new.get("equipment", ticket.equipment)
        # Other equipment and no word about the site: the site follows the equipment unless
        # the equipment is somewhere under the ticket's site (as when filed).
        home = equipment.site if equipment is not None and "site" not in changes else None
        if home is not None and (site is None or not home.path.startswith(site.path)):
            site = new["site"] = home
        _check_places(ticket, site, equipment, new.get("contract", ticket.contract))
    fields: set[str] = set()
    for name, value in new.items():
        events.field_changed(ticket, by, name, _readable(getattr(ticket, name)), _readable(value))
        setattr(ticket, name, value)
        fields.add(name)
    recompute = bool(SLA_FIELDS & fields)
    if "due_at" in values:
        due_at = values["due_at"]
        if due_at is not None and (due_at != ticket.due_at or not ticket.due_at_manual):
            events.field_changed(ticket, by, "due_at", _readable(ticket.due_at), _readable(due_at))
            ticket.due_at, ticket.due_at_manual = due_at, True
            fields |= {"due_at", "due_at_manual"}
        elif due_at is None and ticket.due_at_manual:
            # Back to the SLA's deadline: cleared here, computed again below.
            events.field_changed(ticket, by, "due_at", _readable(ticket.due_at), "")
            ticket.due_at, ticket.due_at_manual = None, False
            fields |= {"due_at", "due_at_manual"}
            recompute = True
    if not fields:
        return ticket
    if recompute:
        fields |= _sla("apply", ticket, by)
    hooks.updated(ticket=ticket, by=by, fields=sorted(fields))  # webhooks, after the commit
    return _ticket_save(ticket, fields)
