"""The demo's web form (manage.py demo_data): a catch-all company for the site's requests, one
form on it that the demo's own pages may frame, and one ticket filed through it by a visitor
without an account, so that staff see a «Веб-форма» ticket and the guest's status link works."""

from django.conf import settings
from django.urls import reverse

from servicedesk.customers.models import Company, Criticality, TicketType, WorkType
from servicedesk.intake.links import guest_status_url
from servicedesk.intake.models import FieldMode, GuestFiling, WebForm
from servicedesk.intake.services import guest_ticket_create
from servicedesk.tickets.models import Origin
from servicedesk.tickets.services import TicketData

INBOX_CODE = "web-inbox"


def load_webform_demo() -> tuple[str, str]:
    """Idempotent; returns the form's public address and the demo guest's status link."""
    inbox, _created = Company.objects.get_or_create(
        code=INBOX_CODE, defaults={"name": "Заявки с сайта"}
    )
    ticket_type = TicketType.objects.filter(is_active=True).first()
    criticality = (
        Criticality.objects.filter(is_active=True, is_default=True).first()
        or Criticality.objects.filter(is_active=True).first()
    )
    if ticket_type is None or criticality is None:
        return "", ""
    site = str(settings.SITE_URL).rstrip("/")
    webform = WebForm.objects.filter(name="Форма на сайте").first()
    if webform is None:
        webform = WebForm.objects.create(
            name="Форма на сайте",
            title="Оставьте заявку на обслуживание",
            intro="Опишите, что случилось, — мы ответим в течение рабочего дня.",
            company=inbox,
            ticket_type=ticket_type,
            criticality=criticality,
            work_type=WorkType.objects.filter(is_active=True).first(),
            field_phone=FieldMode.OPTIONAL,
            field_company_name=FieldMode.OPTIONAL,
            field_equipment_model=FieldMode.OPTIONAL,
            field_files=FieldMode.OPTIONAL,
            allowed_origins="\n".join(
                dict.fromkeys([site, "http://127.0.0.1:8000", "http://localhost:8000"])
            ),
        )
    filing = GuestFiling.objects.filter(webform=webform).select_related("ticket", "contact").first()
    if filing is None:
        filing = guest_ticket_create(
            company=inbox,
            data=TicketData(
                subject="Не работает кондиционер в переговорной",
                description=(
                    "Кондиционер включается, но не охлаждает.\n\n"
                    "Отправлено через веб-форму «Форма на сайте».\n"
                    "Имя: Мария Сайтова\nКомпания: ИП Сайтова\nМодель оборудования: Daikin FTXB35C"
                ),
                ticket_type=ticket_type,
                criticality=criticality,
                company=inbox,
            ),
            name="Мария Сайтова",
            email="maria.guest@example.test",
            phone="",
            origin=Origin.WEB_FORM,
            webform=webform,
            company_name="ИП Сайтова",
            equipment_model="Daikin FTXB35C",
            confirm_by=(),
        )
    return site + reverse("webform", args=[webform.key]), guest_status_url(
        filing.ticket, filing.contact
    )
