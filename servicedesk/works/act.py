"""What the act of completed work is made from: `act_inputs(ticket)`.

The acts app builds the act («Акт выполненных работ»: a table «Наименование | Кол-во |
Стоимость | Сумма» per work, the total, the signature) from this list and from nothing else
of the works: it is the one door from the works to the act. Everything in it is plain,
frozen data — text, whole hours, Decimals with two places (quantities with three), aware
datetimes in UTC — so that the act can be rendered, hashed and compared without touching the
database again, and so that what the customer may read is decided here: **the works' internal
notes are not in it**, nor who recorded a work, nor its photos.

Names are in the active language (the work type's, a listed material's, the unit): call it
inside `translation.override(<the act's language>)`. Amounts follow works/amounts.py, so
`sum(work.amount for work in act_inputs(ticket)) == selectors.ticket_works_total(ticket)`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from servicedesk.tickets.models import Ticket
from servicedesk.works.amounts import work_amount
from servicedesk.works.models import CompletedWork, Unit
from servicedesk.works.selectors import place_text, ticket_works, works_of_tickets


@dataclass(frozen=True)
class ActEngineer:
    """An «Исполнитель» row: the engineer's name, billed hours (whole, rounded up), hourly
    rate and amount (hours × rate)."""

    name: str
    hours: int
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class ActMaterial:
    """A «Материалы» row: name, quantity (3 places), unit (its short name: «шт», "pcs"),
    price per unit and amount (quantity × price, 2 places half up)."""

    name: str
    quantity: Decimal
    unit: str
    price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class ActWork:
    """One completed work as the act shows it («Расшифровка выполненной работы»): its title
    (the work type's name), when it started and finished (the earliest start and the latest end
    of its engineers' time, aware, UTC), where («Объект»: the site and equipment as text), the
    work type's price as copied onto the work, the engineers and the materials, the comment
    written for the act, and what the work costs in all (type price + engineers + materials).
    `work_id` names the work it was made from."""

    work_id: int
    title: str
    started_at: datetime
    finished_at: datetime
    place: str
    work_type_price: Decimal
    engineers: tuple[ActEngineer, ...]
    materials: tuple[ActMaterial, ...]
    comment: str
    amount: Decimal


def _act_work(work: CompletedWork) -> ActWork:
    return ActWork(
        work_id=work.pk,
        title=work.work_type.name,
        started_at=work.started_at,
        finished_at=work.finished_at,
        place=place_text(work.site, work.equipment),
        work_type_price=work.work_type_price,
        engineers=tuple(
            ActEngineer(
                name=line.engineer.full_name,
                hours=line.hours,
                rate=line.hourly_rate,
                amount=line.amount,
            )
            for line in work.engineers.all()
        ),
        materials=tuple(
            ActMaterial(
                name=line.display_name,
                quantity=line.quantity,
                unit=str(Unit(line.unit).label),
                price=line.price,
                amount=line.amount,
            )
            for line in work.materials.all()
        ),
        comment=work.comment,
        amount=work_amount(work),
    )


def act_inputs(ticket: Ticket | int) -> list[ActWork]:
    """The ticket's works, oldest first, as the act is made from them (see the module's
    docstring). No internal notes. A fixed number of queries whatever the number of works."""
    return [_act_work(work) for work in ticket_works(ticket)]


def act_inputs_by_ticket(
    ticket_ids: Collection[int],
    *,
    finished_from: datetime | None = None,
    finished_before: datetime | None = None,
) -> dict[int, list[ActWork]]:
    """`act_inputs` of several tickets at once (an equipment's history in the portal; the batch
    acts, with the works finished in [`finished_from`, `finished_before`) only), by ticket id,
    oldest first; a ticket without such works is not in it. The same fixed number of queries
    whatever the number of tickets and works."""
    grouped: dict[int, list[ActWork]] = {}
    for work in works_of_tickets(
        ticket_ids, finished_from=finished_from, finished_before=finished_before
    ):
        grouped.setdefault(work.ticket_id, []).append(_act_work(work))
    return grouped
