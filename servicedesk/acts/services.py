"""Changes made to acts' data: «Наша компания», the acts' running numbers, issuing a ticket's
act, and its signing rounds (decision 0017): sign, dispute, open a new version, send it for
signature again."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.acts import hooks, numbering
from servicedesk.acts.building import act_content
from servicedesk.acts.content import content_hash, content_to_json
from servicedesk.acts.models import SINGLETON_ID, Act, ActSequence, ActVersion, OurCompany
from servicedesk.acts.selectors import our_company
from servicedesk.core.errors import ApplicationError, ErrorCode
from servicedesk.customers.models import TicketType
from servicedesk.customers.reference import reference_rows
from servicedesk.notifications import events
from servicedesk.tickets import events as ticket_events
from servicedesk.tickets.hooks import Refusal
from servicedesk.tickets.models import Status, Ticket
from servicedesk.tickets.services import ticket_back_to_work
from servicedesk.works.models import CompletedWork

NAME_MAX_LENGTH = 100
COMMENT_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 2000


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
    ticket_events.act_issued(locked, by, number)
    # The customers hear of it once it is committed (bell and email: notifications).
    transaction.on_commit(lambda: events.act_issued(locked.pk, by.pk, act.pk, number, 1))
    return act


# --- Signing rounds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """Who answers an act, and how their answer reached us: the person's account (a customer,
    or the staff member whose device the customer signed on), the act's language and time
    zone as it was shown to them, and their address and browser for the record."""

    user: User
    language: str
    time_zone: str
    ip_address: str | None = None
    user_agent: str = ""
    on_staff_device: bool = False


def _act_locked(ticket: Ticket) -> Act:
    """The ticket's act with the ticket's row locked (the works services lock it too: an act
    is never signed while its works change)."""
    Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk").get()
    act = Act.objects.select_for_update().filter(ticket=ticket).first()
    if act is None:
        raise ApplicationError(_("This ticket has no act yet."), code=ErrorCode.NO_ACT)
    return act


def _signed_already(act: Act) -> ApplicationError:
    version = ActVersion.objects.filter(act=act, number=act.version).first()
    if version is None:  # pragma: no cover — SIGNED always has its version
        return ApplicationError(_("The act is signed already."), code=ErrorCode.ACT_SIGNED)
    when = formats.date_format(timezone.localtime(version.created_at), "SHORT_DATETIME_FORMAT")
    return ApplicationError(
        _("The act is signed already: by %(name)s, %(when)s.")
        % {"name": version.signer_name, "when": when},
        code=ErrorCode.ACT_SIGNED,
    )


def _open_round(act: Act, ticket: Ticket, reader: Reader, version: int, seen_hash: str) -> str:
    """The content JSON of the act's open round as `reader` reads it now, after checking that
    it is the round and the content they read (`version`, `seen_hash`)."""
    if act.state == Act.State.SIGNED:
        raise _signed_already(act)
    if act.state != Act.State.AWAITING:
        raise ApplicationError(
            _("The act is being corrected: wait for its new version."), code=ErrorCode.ACT_STATE
        )
    changed = ApplicationError(
        _("The act has changed since you opened it: read it again before you answer."),
        code=ErrorCode.ACT_CHANGED,
    )
    if version != act.version:
        raise changed
    content = act_content(act, ticket, language=reader.language, time_zone=reader.time_zone)
    if content is None:
        raise ApplicationError(
            _("The act lists no works any more: wait for its new version."),
            code=ErrorCode.NO_WORKS,
        )
    if content_hash(content) != seen_hash:
        raise changed
    return content_to_json(content)


def _check_answerer(reader: Reader, ticket: Ticket) -> None:
    user = reader.user
    allowed = (
        user.has_perm("works.change", ticket)
        if reader.on_staff_device
        else user.is_customer and user.has_perm("acts.sign", ticket)
    )
    if not allowed:
        raise PermissionDenied


def _check_length(field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise ApplicationError(
            _("At most %(limit)d characters.") % {"limit": limit},
            code=ErrorCode.TOO_LONG,
            field=field,
        )


def _record(act: Act, reader: Reader, outcome: str, content: str, **fields: object) -> ActVersion:
    version = ActVersion(
        act=act,
        number=act.version,
        outcome=outcome,
        content_json=content,
        content_hash=hashlib.sha256(content.encode()).hexdigest(),
        user=None if reader.on_staff_device else reader.user,
        collected_by=reader.user if reader.on_staff_device else None,
        ip_address=reader.ip_address or None,
        user_agent=reader.user_agent[:300],
        created_at=timezone.now(),
        **fields,
    )
    try:
        with transaction.atomic():
            version.save(force_insert=True)
    except IntegrityError:  # the round was answered a moment before
        raise _signed_already(act) from None
    return version


@transaction.atomic
def act_sign(
    *,
    reader: Reader,
    ticket: Ticket,
    version: int,
    seen_hash: str,
    name: str,
    position: str,
    signature_png: bytes,
) -> ActVersion:
    """The customer accepts the works: round `version` of the act, as they read it
    (`seen_hash`), is frozen with their name, position and drawn signature (already checked by
    acts/signature.py), and the works are locked. Of two people signing at once, one wins; the
    other is told who signed."""
    _check_answerer(reader, ticket)
    name, position = " ".join(name.split()), " ".join(position.split())
    if not name:
        raise ApplicationError(_("Give your full name."), code=ErrorCode.EMPTY, field="name")
    _check_length("name", name, NAME_MAX_LENGTH)
    _check_length("position", position, NAME_MAX_LENGTH)
    act = _act_locked(ticket)
    content = _open_round(act, ticket, reader, version, seen_hash)
    signed = _record(
        act,
        reader,
        ActVersion.Outcome.SIGNED,
        content,
        signer_name=name,
        signer_position=position,
        signature_png=signature_png,
    )
    act.state = Act.State.SIGNED
    act.save(update_fields=["state"])
    signer = f"{name}, {position}" if position else name
    ticket_events.act_signed(ticket, reader.user, signer)
    hooks.signed(ticket=ticket, act=act, version=signed)  # webhooks, after the commit
    transaction.on_commit(
        lambda: events.act_answered(ticket.pk, reader.user.pk, act.pk, signed.number, False)
    )
    return signed


@transaction.atomic
def act_dispute(
    *, reader: Reader, ticket: Ticket, version: int, seen_hash: str, comment: str
) -> ActVersion:
    """The customer does not accept the works: round `version` is frozen with their comment,
    the ticket goes back to the engineer (tickets.services.ticket_back_to_work) and they are
    told; the engineer corrects the works and sends the act for signature again."""
    if reader.on_staff_device:
        raise PermissionDenied
    _check_answerer(reader, ticket)
    comment = comment.strip()
    if not comment:
        raise ApplicationError(
            _("Say what is wrong with the works: the engineer reads it."),
            code=ErrorCode.EMPTY,
            field="comment",
        )
    _check_length("comment", comment, COMMENT_MAX_LENGTH)
    act = _act_locked(ticket)
    content = _open_round(act, ticket, reader, version, seen_hash)
    disputed = _record(act, reader, ActVersion.Outcome.DISPUTED, content, comment=comment)
    act.state, act.version = Act.State.DISPUTED, act.version + 1
    act.save(update_fields=["state", "version"])
    ticket_events.act_disputed(ticket, reader.user, comment)
    ticket_back_to_work(by=reader.user, ticket=ticket)
    transaction.on_commit(
        lambda: events.act_answered(ticket.pk, reader.user.pk, act.pk, disputed.number, True)
    )
    return disputed


def _check_staff(by: User, ticket: Ticket) -> None:
    if not by.has_perm("works.change", ticket):
        raise PermissionDenied


@transaction.atomic
def act_reopen(*, by: User, ticket: Ticket, reason: str) -> Act:
    """Staff open a new version of a signed act, to change its works: the signed version stays
    as it was signed, the works unlock, and the new version is signed again once staff send it
    (act_submit). `reason` is shown to the customer on the ticket's history."""
    _check_staff(by, ticket)
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Give the reason."), code=ErrorCode.REASON, field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(_("The reason is too long."), code=ErrorCode.REASON, field="reason")
    act = _act_locked(ticket)
    if act.state != Act.State.SIGNED:
        raise ApplicationError(
            _("Only a signed act needs a new version: this one can be corrected as it is."),
            code=ErrorCode.ACT_STATE,
        )
    act.state, act.version = Act.State.REVISING, act.version + 1
    act.save(update_fields=["state", "version"])
    ticket_events.act_reopened(ticket, by, reason)
    return act


@transaction.atomic
def act_submit(*, by: User, ticket: Ticket) -> Act:
    """Staff send the corrected act (after a dispute or a new version) for signature: the
    customers are told, as when the act was issued."""
    _check_staff(by, ticket)
    act = _act_locked(ticket)
    if act.state not in (Act.State.DISPUTED, Act.State.REVISING):
        raise ApplicationError(
            _("The act is not being corrected: there is nothing to send."),
            code=ErrorCode.ACT_STATE,
        )
    if not CompletedWork.objects.filter(ticket=ticket).exists():
        raise ApplicationError(
            _("Record the completed works first: the act is made from them."),
            code=ErrorCode.NO_WORKS,
        )
    act.state = Act.State.AWAITING
    act.save(update_fields=["state"])
    ticket_events.act_submitted(ticket, by)
    number, version = act.number, act.version
    transaction.on_commit(lambda: events.act_issued(ticket.pk, by.pk, act.pk, number, version))
    return act


def works_frozen(ticket: Ticket | int) -> bool:
    """Whether the ticket's works are locked by a signed act (works.services.works_locked)."""
    return Act.objects.filter(ticket=ticket, state=Act.State.SIGNED).exists()


def signed_act_required(*, ticket: Ticket, target: str) -> Refusal | None:
    """tickets.hooks.stage_guard: a ticket whose type requires a signed act is not resolved
    or closed before its act is signed (`act_required`)."""
    if target not in (Status.RESOLVED, Status.CLOSED):
        return None
    kind = reference_rows(TicketType)[TicketType].get(ticket.ticket_type_id)
    if kind is None or not kind.requires_signed_act or works_frozen(ticket):
        return None
    message = _(
        "Tickets of type “%(type)s” are resolved and closed only once the customer has signed "
        "the act of completed work."
    ) % {"type": kind.name}
    return Refusal(message, ErrorCode.ACT_REQUIRED)
