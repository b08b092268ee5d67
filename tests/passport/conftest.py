"""The passport's world: the scoping world (tests/conftest.py) with a ticket template for
Alphacorp's equipment and publication settings for every type."""

from typing import Any

import pytest

from servicedesk.customers.models import (
    Criticality,
    PassportPublication,
    PassportTemplate,
    TicketType,
)
from tests.conftest import World


@pytest.fixture
def template(world: World) -> PassportTemplate:
    return PassportTemplate.objects.create(
        company=world.companies["A"],
        ticket_type=TicketType.objects.filter(is_active=True).first(),
        criticality=Criticality.objects.filter(is_active=True).first(),
        description="",
        allow_self_registration=True,
        allow_anonymous=False,
    )


@pytest.fixture
def publication(db: None) -> PassportPublication:
    return PassportPublication.objects.create(
        equipment_type="", show_name=True, show_model=True, show_serial=True
    )


@pytest.fixture
def boiler(world: World) -> Any:
    """Alphacorp's boiler at HQ, with a model and a serial number."""
    equipment = world.equipment["eq_a_hq"]
    equipment.model = "Vitodens 200"
    equipment.serial_number = "SN-BOILER-1"
    equipment.save()
    return equipment


@pytest.fixture(autouse=True)
def _pages_in_english(settings: Any) -> None:
    """Pages answer in English here (the provider's default is Russian): tests read messages."""
    settings.LANGUAGE_CODE = "en"
