"""An act to build on: a ticket's facts, requisites and works as the works app will hand them."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from servicedesk.acts.content import (
    ActContent,
    ActSettings,
    EngineerInput,
    MaterialInput,
    Requisites,
    TicketFacts,
    WorkInput,
    act_content_build,
)
from servicedesk.acts.money import VatMode

DAY = date(2026, 3, 5)
START = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)  # 10:00 in Moscow

PROVIDER = Requisites(
    name="Сервис-Про",
    legal_name="ООО «Сервис-Про»",
    inn="7720123457",
    kpp="772001001",
    address="г. Москва, ул. Лесная, д. 5",
    bank_name="ПАО Сбербанк",
    bik="044525225",
    settlement_account="40702810938000012345",
    correspondent_account="30101810400000000225",
    phone="+7 495 123-45-67",
    email="office@servicepro.test",
)
CUSTOMER = Requisites(
    name="Бета-Логистик",
    legal_name="АО «Бета-Логистик»",
    inn="7813000017",
    kpp="781301001",
    address="г. Санкт-Петербург, Московский пр., д. 200",
)
TICKET = TicketFacts(
    number="00004321",
    subject="Течь в котельной",
    description="Под котлом лужа, давление падает.",
    customer=CUSTOMER,
    site_name="Склад №1",
    site_address="г. Санкт-Петербург, Московский пр., д. 200",
    equipment_name="Котёл",
    equipment_model="Viessmann Vitoplex 100",
    equipment_serial="VP-100-77",
    contract_number="Д-77/2026",
    contract_name="Комплексное техническое обслуживание склада",
)


def work(**changes) -> WorkInput:
    fields = {
        "title": "Ремонт котла",
        "started_at": START,
        "finished_at": START + timedelta(hours=1, minutes=35),
        "place": "Склад №1, котельная",
        "work_price": Decimal("1500.00"),
        "engineers": (EngineerInput.of("Инженеров Евгений", 2, Decimal("500.00")),),
        "materials": (
            MaterialInput.of("Прокладка 3/4", Decimal(4), "шт", Decimal("75.50")),
            MaterialInput.of("Герметик", Decimal("0.5"), "л", Decimal("640.00")),
        ),
        "comment": "Заменили прокладки, давление в норме.",
    }
    return WorkInput(**{**fields, **changes})


def build(
    works=None,
    *,
    vat_mode=VatMode.NONE,
    vat_rate=Decimal(20),
    mask="{ticket}",
    language="ru",
    ticket=TICKET,
    provider=PROVIDER,
    seq=None,
) -> ActContent:
    return act_content_build(
        ticket=ticket,
        works=works if works is not None else [work()],
        provider=provider,
        settings=ActSettings(number_mask=mask, vat_mode=vat_mode, vat_rate=vat_rate),
        language=language,
        day=DAY,
        time_zone="Europe/Moscow",
        seq=seq,
    )
