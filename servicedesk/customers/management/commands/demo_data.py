"""Demo data: the provider's staff and requisites («Наша компания»), two customer companies and
their people, an SLA calendar with two rules, a few tickets in different stages, and the
completed works of the resolved one with its act awaiting the customer's signature (with
work-type prices, engineers' hourly rates and a small materials list), and two webhooks with a
short delivery log.

Idempotent: every object is looked up by a natural key first, so a second run changes nothing
and duplicates nothing. Passwords of existing demo users are left as they are.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from servicedesk.accounts.models import AccessRequest, Membership, Role, User
from servicedesk.accounts.services import MembershipData, access_request_create, user_create
from servicedesk.acts.models import Act, OurCompany
from servicedesk.acts.money import VatMode
from servicedesk.acts.services import act_issue, our_company_save
from servicedesk.conversations.services import message_post
from servicedesk.customers.models import (
    Company,
    Contract,
    Criticality,
    Equipment,
    Product,
    Site,
    TicketType,
    WorkType,
)
from servicedesk.customers.services import site_save
from servicedesk.knowledge.demo import load_demo as load_knowledge_demo
from servicedesk.sla.models import ServiceCalendar, SlaRule, WorkingHours
from servicedesk.tickets.models import Origin, Ticket
from servicedesk.tickets.services import (
    TicketData,
    ticket_assign,
    ticket_create,
    ticket_transition,
)
from servicedesk.webhooks.demo import load_demo as load_webhooks_demo
from servicedesk.works.models import Material, Unit
from servicedesk.works.services import EngineerLine, MaterialLine, WorkData, work_add

DEMO_PASSWORD = "servicedesk-demo"  # noqa: S105 (printed for the demo; never used in production)


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str
    position: str
    language: str = "ru"


STAFF = [
    DemoUser("admin@provider.test", "Админов Алексей", Role.ADMIN, "Администратор"),
    DemoUser("dispatcher@provider.test", "Диспетчерова Дарья", Role.DISPATCHER, "Диспетчер"),
    DemoUser("engineer1@provider.test", "Инженеров Евгений", Role.ENGINEER, "Инженер"),
    DemoUser("engineer2@provider.test", "Engineer Elena", Role.ENGINEER, "Engineer", "en"),
]
CUSTOMERS = [
    DemoUser("anna@alfa.test", "Альфина Анна", Role.CUSTOMER, "Завхоз"),
    DemoUser("boris@beta.test", "Бетов Борис", Role.CUSTOMER, "Главный инженер"),
    DemoUser("olga@holding.test", "Холдингова Ольга", Role.CUSTOMER, "Руководитель АХО"),
    DemoUser("ivan@alfa.test", "Кассиров Иван", Role.CUSTOMER, "Старший кассир"),
]
PRODUCTS = [
    ("hvac", "Кондиционирование", "Air conditioning"),
    ("pos", "Кассовое оборудование", "Point of sale"),
    ("refrigeration", "Холодильное оборудование", "Refrigeration"),
    ("it", "ИТ-инфраструктура", "IT infrastructure"),
]


WORK_TYPE_PRICES = {
    "repair": "1500.00",
    "installation": "3000.00",
    "diagnostics": "1000.00",
    "maintenance": "2000.00",
}
HOURLY_RATES = {
    "dispatcher@provider.test": "400.00",
    "engineer1@provider.test": "500.00",
    "engineer2@provider.test": "600.00",
}
MATERIALS = [
    (
        "thermal-head",
        "Термоголовка принтера чеков",
        "Receipt printer thermal head",
        Unit.PIECE,
        "2500.00",
    ),
    ("receipt-roll", "Чековая лента 57 мм", "Receipt roll 57 mm", Unit.PIECE, "45.00"),
    ("cable-vvg-3x2-5", "Кабель ВВГнг 3×2,5", "Cable VVGng 3×2.5", Unit.METRE, "95.00"),
    ("refrigerant-r410a", "Хладагент R410A", "Refrigerant R410A", Unit.KILOGRAM, "1800.00"),
    ("gasket-3-4", 'Прокладка 3/4"', 'Gasket 3/4"', Unit.PIECE, "30.00"),
]


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        for order, (code, ru, en) in enumerate(PRODUCTS, start=1):
            Product.objects.get_or_create(
                code=code, defaults={"name_ru": ru, "name_en": en, "sort_order": order * 10}
            )
        users = {u.email: self._user(u) for u in STAFF + CUSTOMERS}
        alfa, beta = self._alfa(), self._beta()

        self._membership(users["anna@alfa.test"], alfa)
        self._membership(users["boris@beta.test"], beta)
        self._membership(users["olga@holding.test"], alfa)
        self._membership(users["olga@holding.test"], beta)
        kassa = Equipment.objects.get(company=alfa, serial_number="ATL-55-001")
        ivan = self._membership(
            users["ivan@alfa.test"], alfa, scope=Membership.Scope.LISTED, sees_all_tickets=False
        )
        ivan.equipment.set([kassa])

        self._invited_and_requests(users["dispatcher@provider.test"], beta)
        self._our_company(users["admin@provider.test"])
        self._sla()
        self._tickets(users, alfa, beta)
        self._works(users)
        till = Ticket.objects.filter(subject="Демо: касса не печатает чеки").first()
        load_knowledge_demo(by=users["dispatcher@provider.test"], company=beta, ticket=till)
        self._passport(alfa)
        load_webhooks_demo(admin=users["admin@provider.test"], company=alfa)
        made = self._api_tokens(users)
        from servicedesk.intake.demo import load_webform_demo  # the site's web form (issue 19)

        webform_url, guest_url = load_webform_demo()
        self._print_logins()
        for email, name, secret in made:
            self.stdout.write(f"  API token of {email} ({name}), shown once: {secret}")
        if webform_url:
            self.stdout.write(f"  Web form for the provider's site: {webform_url}")
            self.stdout.write(f"  A web-form visitor's status link (no account): {guest_url}")

    def _our_company(self, admin: User) -> None:
        """The provider's requisites for the acts' header: made up, with valid check digits
        (ИНН, КПП, and an account keyed against a real bank's БИК and correspondent account)."""
        if OurCompany.objects.exists():
            return
        company = OurCompany(
            name="Сервис-Про",
            legal_name="ООО «Сервис-Про»",
            inn="7720123457",
            kpp="772001001",
            address="111141, г. Москва, ул. Лесная, д. 5, офис 12",
            bank_name="ПАО Сбербанк",
            bik="044525225",
            settlement_account="40702810938000012345",
            correspondent_account="30101810400000000225",
            phone="+74951234567",
            email="office@provider.test",
            vat_mode=VatMode.ON_TOP,
        )
        our_company_save(by=admin, company=company)

    def _sla(self) -> None:
        """A working-hours calendar and two rules: urgent tickets answered fast, the rest
        within two working days."""
        calendar, created = ServiceCalendar.objects.get_or_create(
            name="Рабочие дни 9–18 (Москва)", defaults={"time_zone": "Europe/Moscow"}
        )
        if created:
            WorkingHours.objects.bulk_create(
                WorkingHours(calendar=calendar, weekday=day, start=dt.time(9), end=dt.time(18))
                for day in range(5)
            )
        urgent = Criticality.objects.filter(code="urgent").first()
        rule, created = SlaRule.objects.get_or_create(
            name="Срочные: ответ 1 ч, решение 4 ч",
            defaults={"first_response_minutes": 60, "resolution_minutes": 240},
        )
        if created and urgent is not None:
            rule.criticalities.set([urgent])
        SlaRule.objects.get_or_create(
            name="Остальные: ответ 4 ч, решение 2 рабочих дня",
            defaults={
                "first_response_minutes": 240,
                "resolution_minutes": 2 * 9 * 60,
                "calendar": calendar,
            },
        )

    def _tickets(self, users: dict[str, User], alfa: Company, beta: Company) -> None:
        """A few tickets in different stages, filed and worked through the services, so the
        lists, the queue and the ticket pages have something to show."""
        if Ticket.objects.filter(subject__startswith="Демо:").exists():
            return
        anna, boris = users["anna@alfa.test"], users["boris@beta.test"]
        dispatcher = users["dispatcher@provider.test"]
        engineer = users["engineer1@provider.test"]
        kind = TicketType.objects.filter(is_active=True).first()
        normal = Criticality.objects.filter(is_default=True).first() or Criticality.objects.first()
        if kind is None or normal is None:
            return

        def filed(
            by: User, company: Company, subject: str, description: str, **place: Any
        ) -> Ticket:
            data = TicketData(
                subject=subject,
                description=description,
                ticket_type=kind,
                criticality=normal,
                company=company,
                **place,
            )
            return ticket_create(by=by, data=data, origin=Origin.PORTAL)

        filed(anna, alfa, "Демо: не работает кондиционер в торговом зале", "Дует тёплым воздухом.")
        leak = filed(boris, beta, "Демо: течь в котельной", "Под котлом лужа, давление падает.")
        ticket_assign(by=dispatcher, ticket=leak, assignee=engineer)
        leak = ticket_transition(by=engineer, ticket=leak, code="start")
        message_post(by=engineer, ticket=leak, body="Выезжаем сегодня до 16:00.")
        message_post(by=engineer, ticket=leak, body="Взять прокладки 3/4.", internal=True)
        kassa = Equipment.objects.get(company=alfa, serial_number="ATL-55-001")
        till = filed(
            anna, alfa, "Демо: касса не печатает чеки", "Касса №1, ошибка принтера.",
            site=kassa.site, equipment=kassa,
        )  # fmt: skip
        ticket_assign(by=dispatcher, ticket=till, assignee=engineer)
        till = ticket_transition(by=engineer, ticket=till, code="start")
        ticket_transition(
            by=engineer, ticket=till, code="resolve", resolution="Заменили термоголовку принтера."
        )

    def _works(self, users: dict[str, User]) -> None:
        """Prices of the work types, the engineers' hourly rates, a few materials, and two
        completed works (two engineers, materials) on the resolved demo ticket. Prices and
        rates an administrator has set are kept."""
        for code, price in WORK_TYPE_PRICES.items():
            WorkType.objects.filter(code=code, price=0).update(price=Decimal(price))
        for email, rate in HOURLY_RATES.items():
            User.objects.filter(email=email, hourly_rate=None).update(hourly_rate=Decimal(rate))
        for order, (code, ru, en, unit, price) in enumerate(MATERIALS, start=1):
            Material.objects.get_or_create(
                code=code,
                defaults={
                    "name_ru": ru, "name_en": en, "unit": unit, "price": Decimal(price),
                    "sort_order": order * 10,
                },
            )  # fmt: skip
        till = Ticket.objects.filter(subject="Демо: касса не печатает чеки").first()
        if till is None:
            return
        if not till.works.exists():
            self._till_works(till)
        if not Act.objects.filter(ticket=till).exists():
            # The act, issued and awaiting the customer's signature in the portal.
            act_issue(by=User.objects.get(email="dispatcher@provider.test"), ticket=till)

    def _till_works(self, till: Ticket) -> None:
        engineer = User.objects.get(email="engineer1@provider.test")
        helper = User.objects.get(email="engineer2@provider.test")
        day = timezone.localdate() - dt.timedelta(days=1)

        def at(hour: int, minute: int = 0) -> dt.datetime:
            return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

        work_add(
            by=engineer,
            ticket=till,
            data=WorkData(
                work_type=WorkType.objects.get(code="diagnostics"),
                engineers=[
                    EngineerLine(engineer=engineer, started_at=at(10), finished_at=at(10, 40))
                ],
                comment="Проверили принтер чеков: износ термоголовки.",
                internal_note="Клиент просил звонить за час до выезда.",
            ),
        )
        work_add(
            by=engineer,
            ticket=till,
            data=WorkData(
                work_type=WorkType.objects.get(code="repair"),
                engineers=[
                    EngineerLine(engineer=engineer, started_at=at(10, 40), finished_at=at(12, 15)),
                    EngineerLine(engineer=helper, started_at=at(10, 40), finished_at=at(11, 30)),
                ],
                materials=[
                    MaterialLine(
                        material=Material.objects.get(code="thermal-head"), quantity=Decimal(1)
                    ),
                    MaterialLine(
                        material=Material.objects.get(code="receipt-roll"), quantity=Decimal(5)
                    ),
                ],
                comment="Заменили термоголовку, проверили печать чеков.",
            ),
        )

    def _invited_and_requests(self, dispatcher: User, beta: Company) -> None:
        """Something for the People and Access requests pages to show: a customer who was
        invited and has not set a password yet, and a pending request for access."""
        if not User.objects.filter(email__iexact="petr@beta.test").exists():
            user_create(
                by=dispatcher,
                full_name="Складов Пётр",
                role=Role.CUSTOMER,
                email="petr@beta.test",
                position="Кладовщик",
                memberships=[MembershipData(company=beta)],
            )
        if not AccessRequest.objects.filter(email="maria@gamma.test").exists():
            access_request_create(
                full_name="Гаммова Мария",
                email="maria@gamma.test",
                phone="+79161234567",
                company_name="ООО «Гамма-Сервис»",
                position="Офис-менеджер",
                comment="Нам нужен доступ к порталу для подачи заявок по нашему офису.",
                language="ru",
            )

    def _user(self, demo: DemoUser) -> User:
        user = User.objects.filter(email__iexact=demo.email).first()
        if user is None:
            user = User.objects.create_user(
                demo.email,
                DEMO_PASSWORD,
                full_name=demo.full_name,
                role=demo.role,
                position=demo.position,
                language=demo.language,
                activated_at=timezone.now(),
            )
        return user

    def _membership(
        self,
        user: User,
        company: Company,
        *,
        scope: str = Membership.Scope.COMPANY,
        sees_all_tickets: bool = True,
    ) -> Membership:
        membership, _ = Membership.objects.get_or_create(
            user=user,
            company=company,
            defaults={"scope": scope, "sees_all_tickets": sees_all_tickets},
        )
        return membership

    def _site(self, company: Company, name: str, address: str, parent: Site | None = None) -> Site:
        site = Site.objects.filter(company=company, name=name, parent=parent).first()
        if site is None:
            site = site_save(Site(company=company, name=name, address=address, parent=parent))
        return site

    def _equipment(self, company: Company, site: Site, serial: str, **fields: Any) -> Equipment:
        equipment, _ = Equipment.objects.get_or_create(
            company=company, serial_number=serial, defaults={"site": site, **fields}
        )
        return equipment

    def _contract(self, company: Company, number: str, **fields: Any) -> Contract:
        contract, _ = Contract.objects.get_or_create(
            company=company, number=number, defaults=fields
        )
        return contract

    def _alfa(self) -> Company:
        alfa, _ = Company.objects.get_or_create(
            code="alfa",
            defaults={
                "name": "Альфа-Ритейл",
                "legal_name": "ООО «Альфа-Ритейл»",
                "tax_id": "7707083893",
                "kpp": "773601001",
                "address": "г. Москва, ул. Тверская, д. 10",
                "phone": "+74951234567",
                "email": "office@alfa.test",
            },
        )
        office = self._site(alfa, "Головной офис", "г. Москва, ул. Тверская, д. 10")
        floor = self._site(alfa, "3 этаж, серверная", "г. Москва, ул. Тверская, д. 10", office)
        shop = self._site(alfa, "Магазин на Арбате", "г. Москва, ул. Арбат, д. 24")
        self._equipment(
            alfa, floor, "DK-2024-117",
            name="Кондиционер серверной", equipment_type="Сплит-система", model="Daikin FTXM50",
            warranty_until=dt.date(2027, 6, 30),
        )  # fmt: skip
        self._equipment(
            alfa, floor, "HPE-DL380-7731",
            name="Сервер 1С", equipment_type="Сервер", model="HPE ProLiant DL380 Gen10",
        )  # fmt: skip
        kassa = self._equipment(
            alfa, shop, "ATL-55-001",
            name="Касса №1", equipment_type="POS-терминал", model="АТОЛ 55Ф",
            warranty_until=dt.date(2026, 3, 31),
        )  # fmt: skip
        self._equipment(
            alfa, shop, "POL-CV-880",
            name="Холодильная витрина", equipment_type="Витрина", model="Polair ВХС-1,5",
        )  # fmt: skip
        self._contract(
            alfa, "СО-2026/014",
            name="Сервисное обслуживание офиса", valid_from=dt.date(2026, 1, 1),
            valid_to=dt.date(2026, 12, 31), terms="Реакция 4 ч, устранение 24 ч в рабочие дни.",
        )  # fmt: skip
        pos = self._contract(
            alfa, "ККТ-2025/03",
            name="Обслуживание кассового оборудования", valid_from=dt.date(2025, 3, 1),
            valid_to=dt.date(2026, 2, 28),
        )  # fmt: skip
        pos.equipment.add(kassa)
        pos.sites.add(shop)
        return alfa

    def _beta(self) -> Company:
        beta, _ = Company.objects.get_or_create(
            code="beta",
            defaults={
                "name": "Бета-Логистик",
                "legal_name": "АО «Бета-Логистик»",
                "tax_id": "7813000017",
                "kpp": "781301001",
                "address": "г. Санкт-Петербург, Московский пр., д. 200",
                "phone": "+78121234567",
                "email": "info@beta.test",
            },
        )
        warehouse = self._site(beta, "Склад №1", "г. Санкт-Петербург, Московский пр., д. 200")
        self._equipment(
            beta, warehouse, "STL-RX20-5521",
            name="Погрузчик электрический", equipment_type="Погрузчик", model="STILL RX20",
        )  # fmt: skip
        self._equipment(
            beta, warehouse, "CAR-30RB-0042",
            name="Холодильная камера", equipment_type="Холодильная машина", model="Carrier 30RB",
            warranty_until=dt.date(2028, 1, 31),
        )  # fmt: skip
        self._contract(
            beta, "Д-77/2026",
            name="Комплексное техническое обслуживание склада", valid_from=dt.date(2026, 2, 1),
        )  # fmt: skip
        return beta

    def _api_tokens(self, users: dict[str, User]) -> list[tuple[str, str, str]]:
        """Personal API tokens as an integration would have them (Profile → API tokens): the
        customer's read-only one for their 1C, the dispatcher's for monitoring, and one revoked.
        Made once; their secrets are printed then (never stored)."""
        from servicedesk.accounts.models import ApiToken, ApiTokenScope
        from servicedesk.accounts.services import api_token_create, api_token_revoke

        wanted = [
            ("anna@alfa.test", "1С: выгрузка заявок", ApiTokenScope.READ, 2, False),
            ("dispatcher@provider.test", "Мониторинг Zabbix", ApiTokenScope.READ_WRITE, 0, False),
            ("dispatcher@provider.test", "Старый скрипт", ApiTokenScope.READ_WRITE, 30, True),
        ]
        made = []
        for email, name, scope, days_ago, revoked in wanted:
            user = users[email]
            if ApiToken.objects.filter(user=user, name=name).exists():
                continue
            new = api_token_create(user=user, name=name, scope=scope)
            used = timezone.now() - dt.timedelta(days=days_ago, hours=3)
            ApiToken.objects.filter(pk=new.token.pk).update(last_used_at=used)
            if revoked:
                api_token_revoke(token=new.token, actor=users["admin@provider.test"])
            else:
                made.append((email, name, new.secret))
        return made

    def _passport(self, alfa: Company) -> None:
        """The QR passport: what is public for every type and for POS terminals, Alfa's ticket
        template (self-registration and filing without an account allowed), a photo of the
        display case (drawn here: no file in the repository)."""
        from servicedesk.customers.models import Criticality, PassportPublication, PassportTemplate
        from servicedesk.customers.passport import equipment_photo_set, passport_url

        PassportPublication.objects.get_or_create(
            equipment_type="",
            defaults={"show_photo": True, "show_type": True, "show_model": True,
                      "show_address": True},
        )  # fmt: skip
        PassportPublication.objects.get_or_create(
            equipment_type="POS-терминал",
            defaults={"show_photo": True, "show_type": True, "show_model": True,
                      "show_serial": True, "show_warranty": True},
        )  # fmt: skip
        ticket_type = TicketType.objects.filter(is_active=True).first()
        if ticket_type is None:
            return
        PassportTemplate.objects.get_or_create(
            company=alfa,
            equipment_type="",
            defaults={
                "ticket_type": ticket_type,
                "criticality": Criticality.objects.filter(is_default=True).first(),
                "description": "",
                "allow_self_registration": True,
                "allow_anonymous": True,
            },
        )
        case = Equipment.objects.get(company=alfa, serial_number="POL-CV-880")
        if not case.photo:
            equipment_photo_set(equipment=case, upload=_demo_photo())
        self.stdout.write(f"  QR passport of {case.name}: {passport_url(case)}")

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Logins (password for all):"))
        self.stdout.write(f"  password: {DEMO_PASSWORD}")
        notes = {
            "anna@alfa.test": "customer of Альфа-Ритейл",
            "boris@beta.test": "customer of Бета-Логистик",
            "olga@holding.test": "customer of both companies",
            "ivan@alfa.test": "customer scoped to one piece of equipment (Касса №1)",
        }
        for demo in STAFF + CUSTOMERS:
            self.stdout.write(f"  {demo.email:<28} {notes.get(demo.email, demo.role)}")
        self.stdout.write(
            "  petr@beta.test is invited and has not set a password yet: his invitation"
        )
        self.stdout.write("  is in var/mail/ once the worker has sent it.")


def _demo_photo() -> Any:
    """A drawn picture of a display case, as an uploaded PNG."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), "#e9eef3")
    draw = ImageDraw.Draw(image)
    draw.rectangle((150, 80, 650, 540), fill="#ffffff", outline="#495057", width=8)
    for y in (200, 320, 440):
        draw.line((160, y, 640, y), fill="#adb5bd", width=6)
    draw.rectangle((150, 80, 650, 130), fill="#0d6efd")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("vitrina.png", buffer.getvalue(), content_type="image/png")
