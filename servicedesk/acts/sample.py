"""A sample act for the settings page's preview: the provider's own requisites and settings, a
made-up customer and two works, so that an administrator sees their header, numbering and VAT
on paper before any real act is made."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import gettext as _

from servicedesk.acts.content import (
    ActContent,
    EngineerInput,
    MaterialInput,
    Requisites,
    TicketFacts,
    WorkInput,
    act_content_build,
)
from servicedesk.acts.models import OurCompany
from servicedesk.acts.numbering import uses_sequence


def sample_act(company: OurCompany, *, language: str, day: date, time_zone: str) -> ActContent:
    zone = ZoneInfo(time_zone)
    start = datetime.combine(day, time(10, 0), tzinfo=zone)
    with translation.override(language):
        ticket = TicketFacts(
            number="00001234",
            subject=_("Sample: the air conditioner in the server room is leaking"),
            description=_("Water drips from the indoor unit; the room is warmer than usual."),
            customer=Requisites(
                name=_("Sample Customer"),
                legal_name=_("Sample Customer LLC"),
                inn="7707083893",
                kpp="773601001",
                address=_("10 Tverskaya St., Moscow"),
            ),
            site_name=_("Head office, server room"),
            site_address=_("10 Tverskaya St., Moscow"),
            equipment_name=_("Server room air conditioner"),
            equipment_model="Daikin FTXM50",
            equipment_serial="DK-2024-117",
            contract_number="SO-2026/014",
            contract_name=_("Office maintenance"),
        )
        works = [
            WorkInput(
                title=_("Diagnostics"),
                started_at=start,
                finished_at=start + timedelta(minutes=35),
                place=_("Head office, server room"),
                work_price=Decimal("1500.00"),
                engineers=(EngineerInput.of(_("Evgeny Engineer"), 1, Decimal("1000.00")),),
            ),
            WorkInput(
                title=_("Repair"),
                started_at=start + timedelta(hours=1),
                finished_at=start + timedelta(hours=2, minutes=35),
                place=_("Head office, server room"),
                work_price=Decimal("2500.00"),
                engineers=(
                    EngineerInput.of(_("Evgeny Engineer"), 2, Decimal("1000.00")),
                    EngineerInput.of(_("Elena Engineer"), 2, Decimal("850.00")),
                ),
                materials=(
                    MaterialInput.of(_("Drain pump"), Decimal(1), _("pcs"), Decimal("3200.00")),
                    MaterialInput.of(_("Drain hose"), Decimal("2.5"), _("m"), Decimal("180.00")),
                ),
                comment=_("The drain pump was replaced; the drain line was cleaned."),
            ),
        ]
    return act_content_build(
        ticket=ticket,
        works=works,
        provider=company.requisites(),
        settings=company.act_settings(),
        language=language,
        day=day,
        time_zone=time_zone,
        seq=1 if uses_sequence(company.act_number_mask) else None,
    )
