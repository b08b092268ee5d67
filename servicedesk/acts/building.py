"""A ticket's act as its reader sees it: the issued act's number and date, the ticket's facts,
«Наша компания», and the completed works as the works app hands them over
(works.act.act_inputs: internal notes never reach it), in the reader's language — or, for a
finished signing round, the version as it was frozen then (`ActView`)."""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation

from servicedesk.acts.content import (
    ActContent,
    EngineerInput,
    MaterialInput,
    WorkInput,
    act_content_build,
    content_from_json,
    content_hash,
)
from servicedesk.acts.models import Act, ActVersion
from servicedesk.acts.rendering import Acceptance
from servicedesk.acts.selectors import our_company, ticket_facts
from servicedesk.tickets.models import Ticket
from servicedesk.works.act import ActWork, act_inputs, act_inputs_by_ticket
from servicedesk.works.models import CompletedWork


def work_input(work: ActWork) -> WorkInput:
    """A work as the works app hands it over, as the act's content takes it."""
    return WorkInput(
        title=work.title,
        started_at=work.started_at,
        finished_at=work.finished_at,
        place=work.place,
        work_price=work.work_type_price,
        engineers=tuple(
            EngineerInput(name=e.name, hours=e.hours, rate=e.rate, amount=e.amount)
            for e in work.engineers
        ),
        materials=tuple(
            MaterialInput(
                name=m.name, quantity=m.quantity, unit=m.unit, price=m.price, amount=m.amount
            )
            for m in work.materials
        ),
        comment=work.comment,
    )


def issued_act(ticket: Ticket) -> Act | None:
    return Act.objects.filter(ticket=ticket).first()


def act_versions(act: Act) -> list[ActVersion]:
    """The act's finished rounds, oldest first, with the people named on them (one query)."""
    return list(
        ActVersion.objects.filter(act=act)
        .select_related("user", "collected_by")
        .defer("content_json", "signature_png")
        .order_by("number")
    )


def act_content(
    act: Act, ticket: Ticket, *, language: str, time_zone: str = ""
) -> ActContent | None:
    """The act's content from the ticket's works as they are now (None when they were all
    deleted since the act was issued), its number and date as issued. `ticket` is the act's,
    with its company, site, equipment and contract loaded (tickets.access.access_ticket does)."""
    language = "en" if language.startswith("en") else "ru"
    with translation.override(language):
        works = [work_input(work) for work in act_inputs(ticket)]
    if not works:
        return None
    company = our_company()
    content = act_content_build(
        ticket=ticket_facts(ticket),
        works=works,
        provider=company.requisites(),
        settings=company.act_settings(),
        language=language,
        day=act.issued_on,
        time_zone=time_zone or settings.TIME_ZONE,
    )
    # The number was fixed when the act was issued ({seq} included): keep it.
    return dataclasses.replace(content, number=act.number)


@dataclasses.dataclass(frozen=True)
class ActView:
    """An act as one reader sees it: the round's number, its content, and how the round ended
    (`frozen`: the signed or disputed version; None while it is open and the content is made
    from the works as they are now)."""

    act: Act
    number: int
    content: ActContent
    frozen: ActVersion | None = None

    @property
    def hash(self) -> str:
        return self.frozen.content_hash if self.frozen else content_hash(self.content)

    @property
    def acceptance(self) -> Acceptance | None:
        version = self.frozen
        if version is None or not version.is_signed:
            return None
        return Acceptance(
            name=version.signer_name,
            position=version.signer_position,
            signature_png=bytes(version.signature_png) if version.signature_png else None,
            signed_at=version.created_at,
            content_hash=version.content_hash,
            ip_address=version.ip_address or "",
            account=(version.user.email or "") if version.user_id and version.user else "",
            collected_by=str(version.collected_by) if version.collected_by_id else "",
        )


def frozen_view(act: Act, version: ActVersion) -> ActView:
    return ActView(
        act=act,
        number=version.number,
        content=content_from_json(version.content_json),
        frozen=version,
    )


def act_view(
    act: Act, ticket: Ticket, *, language: str, time_zone: str = "", number: int | None = None
) -> ActView | None:
    """Round `number` of the act (the current one by default): a finished round as frozen; the
    open one made from the works now (None when they were all deleted)."""
    number = act.version if number is None else number
    if number < 1 or number > act.version:
        return None
    version = (
        ActVersion.objects.select_related("user", "collected_by")
        .filter(act=act, number=number)
        .first()
    )
    if version is not None:
        return frozen_view(act, version)
    if number != act.version:
        return None
    content = act_content(act, ticket, language=language, time_zone=time_zone)
    return ActView(act=act, number=number, content=content) if content else None


# --- What a customer reads of the works outside the act: an equipment's history in the portal.
# The same as the act shows (decision 0015: the act is the works' one door to the customer),
# and only once the act is issued — before that, works are the provider's drafts.


def issued_acts(ticket_ids: list[int]) -> dict[int, Act]:
    """The issued acts of these tickets, by ticket id: one query."""
    return {act.ticket_id: act for act in Act.objects.filter(ticket_id__in=ticket_ids)}


def issued_act_works(acts: dict[int, Act]) -> dict[int, list[ActWork]]:
    """The works of the tickets of these acts as the acts list them (no internal notes, no
    authors, no photos), oldest first, by ticket id; in the active language."""
    return act_inputs_by_ticket(list(acts)) if acts else {}


def issued_works(tickets: QuerySet[Ticket]) -> QuerySet[CompletedWork]:
    """The works of those of `tickets` whose act is issued: what a customer's figures (hours,
    materials) are summed from."""
    return CompletedWork.objects.filter(
        ticket__in=tickets.filter(act__isnull=False).order_by().values("pk")
    )
