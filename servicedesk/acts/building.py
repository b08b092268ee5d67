"""A ticket's act as its reader sees it: the issued act's number and date, the ticket's facts,
«Наша компания», and the completed works as the works app hands them over
(works.act.act_inputs: internal notes never reach it), in the reader's language."""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.utils import translation

from servicedesk.acts.content import (
    ActContent,
    EngineerInput,
    MaterialInput,
    WorkInput,
    act_content_build,
)
from servicedesk.acts.models import Act
from servicedesk.acts.selectors import our_company, ticket_facts
from servicedesk.tickets.models import Ticket
from servicedesk.works.act import ActWork, act_inputs


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
