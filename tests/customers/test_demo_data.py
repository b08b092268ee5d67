"""`manage.py demo_data`: idempotent, with working logins and the documented scopes."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from servicedesk.accounts.models import AccessRequest, Invitation, Membership, User
from servicedesk.acts.models import OurCompany
from servicedesk.conversations.models import Message
from servicedesk.customers.models import (
    Company,
    Contract,
    Criticality,
    Equipment,
    Product,
    Site,
    TicketType,
)
from servicedesk.knowledge.models import Article, Category, TicketArticle
from servicedesk.sla.models import SlaRule
from servicedesk.tickets.models import Ticket
from servicedesk.works.models import CompletedWork, Material, WorkEngineer, WorkMaterial
from servicedesk.works.selectors import ticket_works_total

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "servicedesk-demo"
DEMO_EMAILS = [
    "admin@provider.test",
    "dispatcher@provider.test",
    "engineer1@provider.test",
    "engineer2@provider.test",
    "anna@alfa.test",
    "boris@beta.test",
    "olga@holding.test",
    "ivan@alfa.test",
]


def counts():
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "invitations": Invitation.objects.count(),
        "access_requests": AccessRequest.objects.count(),
        "companies": Company.objects.count(),
        "sites": Site.objects.count(),
        "equipment": Equipment.objects.count(),
        "contracts": Contract.objects.count(),
        "contract_sites": Contract.sites.through.objects.count(),
        "contract_equipment": Contract.equipment.through.objects.count(),
        "membership_equipment": Membership.equipment.through.objects.count(),
        "products": Product.objects.count(),
        "ticket_types": TicketType.objects.count(),
        "criticalities": Criticality.objects.count(),
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "sla_rules": SlaRule.objects.count(),
        "materials": Material.objects.count(),
        "works": CompletedWork.objects.count(),
        "work_engineers": WorkEngineer.objects.count(),
        "work_materials": WorkMaterial.objects.count(),
        "our_company": OurCompany.objects.count(),
        "kb_categories": Category.objects.count(),
        "kb_articles": Article.objects.count(),
        "kb_ticket_articles": TicketArticle.objects.count(),
    }


def demo_data():
    out = io.StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def test_demo_data_twice_creates_nothing_twice():
    # When the command runs twice
    first_output = demo_data()
    first = counts()
    demo_data()

    # Then the second run added nothing
    assert counts() == first
    assert first == {
        "users": 10,  # 9 + the web form's visitor (a guest contact, servicedesk/intake/demo.py)
        "memberships": 7,
        "invitations": 1,
        "access_requests": 1,
        "companies": 3,  # Альфа, Бета and the web form's «Заявки с сайта»
        "sites": 4,
        "equipment": 6,
        "contracts": 3,
        "contract_sites": 1,
        "contract_equipment": 1,
        "membership_equipment": 1,
        "products": 4,
        "ticket_types": 4,
        "criticalities": 2,
        "tickets": 4,  # 3 + the web form's ticket
        "messages": 2,
        "sla_rules": 2,
        "materials": 5,
        "works": 2,
        "work_engineers": 3,
        "work_materials": 2,
        "our_company": 1,
        "kb_categories": 4,
        "kb_articles": 6,
        "kb_ticket_articles": 1,
    }
    # The knowledge base: every kind of visibility, RU and EN linked, all published.
    assert sorted(Article.objects.values_list("visibility", flat=True)) == [
        "companies",
        "customers",
        "internal",
        "public",
        "public",
        "public",
    ]
    assert Article.objects.filter(translation__isnull=False).count() == 2
    assert not Article.objects.exclude(status="published").exists()
    # The tickets were worked through the services: one new, one in progress, one resolved,
    # each with SLA deadlines from the demo rules; and the web form's visitor's, new.
    assert sorted(Ticket.objects.values_list("status", flat=True)) == [
        "in_progress",
        "new",
        "new",
        "resolved",
    ]
    assert not Ticket.objects.filter(due_at__isnull=True).exists()
    assert f"password: {DEMO_PASSWORD}" in first_output
    assert sorted(User.objects.values_list("email", flat=True)) == sorted(
        [*DEMO_EMAILS, "petr@beta.test", "maria.guest@example.test"]
    )
    # The web form's visitor files without an account: no password, a link printed
    assert not User.objects.get(email="maria.guest@example.test").has_usable_password()
    assert "/f/" in first_output
    assert "/t/" in first_output
    # The invited customer has no password yet; the others can sign in
    petr = User.objects.get(email="petr@beta.test")
    assert (petr.has_usable_password(), petr.activated_at) == (False, None)
    assert AccessRequest.objects.get().status == "pending"


def test_second_run_keeps_a_changed_password():
    demo_data()
    user = User.objects.get(email="anna@alfa.test")
    user.set_password("changed-by-anna-1")
    user.save()
    demo_data()
    user.refresh_from_db()
    assert user.check_password("changed-by-anna-1") is True


@pytest.mark.parametrize("email", DEMO_EMAILS)
def test_demo_users_can_sign_in(client, email):
    demo_data()
    assert authenticate(email=email, password=DEMO_PASSWORD) == User.objects.get(email=email)
    response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email=email).pk)


def test_demo_site_paths_are_materialised():
    demo_data()
    assert Site.objects.filter(path="").count() == 0
    floor = Site.objects.get(name="3 этаж, серверная")
    assert floor.path == f"{floor.parent.pk}/{floor.pk}/"


@pytest.mark.parametrize(
    ("email", "companies", "equipment"),
    [
        ("anna@alfa.test", {"alfa"}, 4),
        ("boris@beta.test", {"beta"}, 2),
        ("olga@holding.test", {"alfa", "beta"}, 6),
        ("ivan@alfa.test", {"alfa"}, 1),
        ("engineer1@provider.test", {"alfa", "beta", "web-inbox"}, 6),
    ],
)
def test_demo_scopes(email, companies, equipment):
    demo_data()
    user = User.objects.get(email=email)
    assert set(Company.objects.visible_to(user).values_list("code", flat=True)) == companies
    assert Equipment.objects.visible_to(user).count() == equipment


def test_equipment_scoped_demo_customer_sees_exactly_the_till():
    demo_data()
    ivan = User.objects.get(email="ivan@alfa.test")
    assert list(Equipment.objects.visible_to(ivan).values_list("serial_number", flat=True)) == [
        "ATL-55-001"
    ]
    assert list(Site.objects.visible_to(ivan).values_list("name", flat=True)) == [
        "Магазин на Арбате"
    ]
    assert set(Contract.objects.visible_to(ivan).values_list("number", flat=True)) == {
        "СО-2026/014",
        "ККТ-2025/03",
    }


def test_the_resolved_demo_ticket_has_works_with_prices_rates_and_materials():
    demo_data()
    till = Ticket.objects.get(status="resolved")
    assert till.equipment is not None and till.equipment.serial_number == "ATL-55-001"
    # Diagnostics 1 000 + 1 h × 500; repair 1 500 + 2 h × 500 + 1 h × 600 + 2 500 + 5 × 45
    assert ticket_works_total(till) == Decimal("7325.00")
    assert User.objects.get(email="engineer1@provider.test").hourly_rate == Decimal("500.00")
    # Its act is issued and awaits the customer's signature, once
    assert till.act.state == "awaiting" and till.act.number
    # An administrator's later prices and rates are kept by a second run
    User.objects.filter(email="engineer1@provider.test").update(hourly_rate=Decimal("700"))
    demo_data()
    assert User.objects.get(email="engineer1@provider.test").hourly_rate == Decimal("700.00")
    assert Ticket.objects.filter(act__isnull=False).count() == 1


def test_demo_requisites_are_valid_and_kept():
    demo_data()
    company = OurCompany.objects.get()
    company.full_clean()  # every check digit holds
    assert (company.name, company.bik, company.vat_mode) == ("Сервис-Про", "044525225", "on_top")
    assert company.updated_by == User.objects.get(email="admin@provider.test")
    # an administrator's later change survives the next run
    OurCompany.objects.update(name="Сервис-Про Плюс")
    demo_data()
    assert OurCompany.objects.get().name == "Сервис-Про Плюс"
