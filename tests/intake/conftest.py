"""The intake tests' world: a catch-all company the guests' tickets go into, a ticket type and
a criticality, and a filing helper."""

from typing import Any

import pytest

from servicedesk.customers.models import Criticality, TicketType
from servicedesk.tickets.services import TicketData
from tests.factories import CompanyFactory


@pytest.fixture
def inbox_company(db: None) -> Any:
    return CompanyFactory(name="Заявки с сайта", code="web-inbox")


@pytest.fixture
def references(db: None) -> tuple[Any, Any]:
    ticket_type = TicketType.objects.get_or_create(
        code="web-request", defaults={"name_ru": "Запрос", "name_en": "Request"}
    )[0]
    criticality = Criticality.objects.get_or_create(
        code="web-normal", defaults={"name_ru": "Обычная", "name_en": "Normal"}
    )[0]
    return ticket_type, criticality


@pytest.fixture
def ticket_data(inbox_company: Any, references: tuple[Any, Any]) -> TicketData:
    ticket_type, criticality = references
    return TicketData(
        subject="Не греет котёл",
        description="Котёл в котельной не держит температуру.",
        ticket_type=ticket_type,
        criticality=criticality,
        company=inbox_company,
    )
