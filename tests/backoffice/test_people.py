"""People pages: who may open what, and the lists (filters, search, sort, pagination, htmx,
query counts)."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicedesk.accounts.models import AuditEvent, Invitation, Role, User
from tests.conftest import login
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def en_client(user: User | None = None) -> Client:
    client = Client(headers={"accept-language": "en"})
    return login(client, user) if user is not None else client


def snapshot(*people: User) -> tuple:
    """Everything an action could change: the people's rows, audit events, invitations, mail."""
    rows = tuple(
        User.objects.filter(pk=p.pk).values_list(
            "role", "is_active", "password", "must_change_password", "full_name"
        )[0]
        for p in people
    )
    return (
        rows,
        AuditEvent.objects.count(),
        Invitation.objects.count(),
        len(mail.outbox),
        sorted(User.objects.values_list("pk", flat=True)),
    )


# --- Permission matrix -------------------------------------------------------------------------

PAGES = [
    ("people", None),
    ("person_new", None),
    ("membership_scope_options", None),
    ("person_detail", "customer"),
    ("person_detail", "employee"),
    ("person_edit", "customer"),
    ("person_edit", "employee"),
    ("person_temporary_password", "customer"),
    ("audit_log", None),
]

# What each viewer gets for each page: 200 or 404 (anonymous: the login page).
EXPECTED_PAGES = {
    "admin": dict.fromkeys(PAGES, 200),
    "dispatcher": {
        **dict.fromkeys(PAGES, 200),
        ("person_edit", "employee"): 404,
        ("audit_log", None): 404,
    },
    "engineer": dict.fromkeys(PAGES, 404),
    "cust_a": dict.fromkeys(PAGES, 404),
    "inactive_engineer": dict.fromkeys(PAGES, 302),
}


def _url(world, name: str, target: str | None, employee: User) -> str:
    if target is None:
        url = reverse(f"backoffice:{name}")
        if name == "membership_scope_options":
            url += f"?company={world.companies['A'].pk}&prefix=memberships-0"
        return url
    person = world.users["cust_b"] if target == "customer" else employee
    return reverse(f"backoffice:{name}", args=[person.pk])


@pytest.mark.parametrize("viewer", ["admin", "dispatcher", "engineer", "cust_a"])
@pytest.mark.parametrize(("name", "target"), PAGES)
def test_page_access_by_role(world, viewer, name, target):
    employee = UserFactory(engineer=True)
    client = en_client(world.users[viewer])
    before = snapshot(world.users["cust_b"], employee)

    response = client.get(_url(world, name, target, employee))

    assert response.status_code == EXPECTED_PAGES[viewer][(name, target)]
    assert snapshot(world.users["cust_b"], employee) == before


@pytest.mark.parametrize(("name", "target"), PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, name, target):
    employee = UserFactory(engineer=True)
    url = _url(world, name, target, employee)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


ACTIONS = [
    "person_invite",
    "person_temporary_password",
    "person_deactivate",
    "person_reactivate",
    "person_convert",
    "person_role",
]


@pytest.mark.parametrize("viewer", ["anonymous", "engineer", "cust_a", "dispatcher"])
@pytest.mark.parametrize("action", ACTIONS)
def test_actions_on_an_employee_are_refused_to_all_but_admins(world, viewer, action):
    # Given an engineer who has not set a password yet (so every action would apply)
    employee = UserFactory(engineer=True)
    client = en_client(None if viewer == "anonymous" else world.users[viewer])
    before = snapshot(employee)

    # When anyone but an admin posts the action
    response = client.post(
        reverse(f"backoffice:{action}", args=[employee.pk]),
        {"role": Role.ADMIN, "company": world.companies["A"].pk},
    )

    # Then: the login page or 404, and nothing happened
    assert response.status_code == (302 if viewer == "anonymous" else 404)
    assert snapshot(employee) == before


@pytest.mark.parametrize("viewer", ["engineer", "cust_a", "cust_b"])
@pytest.mark.parametrize("action", ACTIONS)
def test_actions_on_a_customer_are_refused_to_engineers_and_customers(world, viewer, action):
    target = world.users["cust_ab"]
    client = en_client(world.users[viewer])
    before = snapshot(target)

    response = client.post(reverse(f"backoffice:{action}", args=[target.pk]), {"role": Role.ADMIN})

    assert response.status_code == 404
    assert snapshot(target) == before


@pytest.mark.parametrize("action", ["person_convert", "person_role"])
def test_a_dispatcher_cannot_make_a_customer_an_employee(world, action):
    target = world.users["cust_a"]
    client = en_client(world.users["dispatcher"])
    before = snapshot(target)

    response = client.post(reverse(f"backoffice:{action}", args=[target.pk]), {"role": Role.ADMIN})

    assert response.status_code == 404
    assert snapshot(target) == before


def test_a_dispatcher_cannot_post_an_edit_of_an_employee(world):
    employee = UserFactory(engineer=True, full_name="Eve Engineer")
    client = en_client(world.users["dispatcher"])
    before = snapshot(employee)

    response = client.post(
        reverse("backoffice:person_edit", args=[employee.pk]),
        {"full_name": "Hacked", "email": employee.email},
    )

    assert response.status_code == 404
    assert snapshot(employee) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_answer_get_with_405_or_a_confirmation(world, action):
    target = world.users["cust_a"]
    client = en_client(world.users["admin"])
    before = snapshot(target)

    response = client.get(reverse(f"backoffice:{action}", args=[target.pk]))

    assert response.status_code == (200 if action == "person_temporary_password" else 405)
    assert snapshot(target) == before


def test_a_missing_person_is_404(world):
    client = en_client(world.users["admin"])
    assert client.get(reverse("backoffice:person_detail", args=[999999])).status_code == 404
    assert client.post(reverse("backoffice:person_deactivate", args=[999999])).status_code == 404


def test_the_detail_page_shows_actions_only_to_those_allowed(world):
    employee = UserFactory(engineer=True)
    dispatcher = en_client(world.users["dispatcher"])
    admin = en_client(world.users["admin"])

    html = dispatcher.get(reverse("backoffice:person_detail", args=[employee.pk])).content.decode()
    assert 'data-testid="edit"' not in html
    assert 'data-testid="deactivate"' not in html
    assert 'data-testid="convert"' not in html

    html = dispatcher.get(
        reverse("backoffice:person_detail", args=[world.users["cust_a"].pk])
    ).content.decode()
    assert 'data-testid="edit"' in html
    assert 'data-testid="deactivate"' in html
    assert 'data-testid="convert"' not in html  # making employees is an admin's job

    html = admin.get(reverse("backoffice:person_detail", args=[employee.pk])).content.decode()
    assert 'data-testid="convert"' in html
    assert 'data-testid="role-card"' in html


# --- The list ----------------------------------------------------------------------------------


def names(response) -> list[str]:
    return [p.full_name for p in response.context["page"].object_list]


@pytest.fixture
def people(db):
    """Customers of two companies and three employees with distinctive names."""
    acme = CompanyFactory(name="Acme")
    bolt = CompanyFactory(name="Bolt")
    now = timezone.now()
    ann = MembershipFactory(
        company=acme,
        user__full_name="Ann Archer",
        user__email="ann@acme.test",
        user__phone="+79123456701",
        user__position="Accountant",
        user__activated_at=now,
    ).user
    ann.last_login = now - dt.timedelta(days=1)
    ann.save()
    bob = MembershipFactory(
        company=bolt, user__full_name="Bob Baker", user__email="bob@bolt.test"
    ).user  # invited, not in yet
    cid = MembershipFactory(
        company=acme,
        user__full_name="Cid Cole",
        user__email="cid@acme.test",
        user__is_active=False,
        user__activated_at=now,
    ).user
    MembershipFactory(user=cid, company=bolt)
    dan = UserFactory(
        full_name="Dan Dispatcher", email="dan@provider.test", role=Role.DISPATCHER,
        activated_at=now, position="Shift lead",
    )  # fmt: skip
    dan.last_login = now
    dan.save()
    eve = UserFactory(full_name="Eve Engineer", email="eve@provider.test", role=Role.ENGINEER)
    ada = UserFactory(
        full_name="Ada Admin", email="ada@provider.test", role=Role.ADMIN, activated_at=now
    )
    return {"acme": acme, "bolt": bolt, "ann": ann, "bob": bob, "cid": cid, "dan": dan,
            "eve": eve, "ada": ada}  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Ann Archer", "Bob Baker", "Cid Cole"]),
        ("?kind=customers&q=acme.test", ["Ann Archer", "Cid Cole"]),
        ("?q=ACCOUNT", ["Ann Archer"]),
        ("?q=912+345-67-01", ["Ann Archer"]),
        ("?q=bob+baker", ["Bob Baker"]),
        ("?q=nobody", []),
        ("?company={bolt}", ["Bob Baker", "Cid Cole"]),
        ("?status=active", ["Ann Archer", "Bob Baker"]),
        ("?status=invited", ["Bob Baker"]),
        ("?status=inactive", ["Cid Cole"]),
        ("?company={acme}&status=active", ["Ann Archer"]),
        ("?order=-full_name", ["Cid Cole", "Bob Baker", "Ann Archer"]),
        ("?order=-last_login", ["Ann Archer", "Bob Baker", "Cid Cole"]),
        ("?status=bogus&order=bogus&company=x", ["Ann Archer", "Bob Baker", "Cid Cole"]),
        ("?kind=employees", ["Ada Admin", "Dan Dispatcher", "Eve Engineer"]),
        ("?kind=employees&role=engineer", ["Eve Engineer"]),
        ("?kind=employees&q=shift", ["Dan Dispatcher"]),
        # Ada signed in just now (to look at the list), Dan earlier, Eve never.
        ("?kind=employees&order=-last_login", ["Ada Admin", "Dan Dispatcher", "Eve Engineer"]),
        ("?kind=employees&order=last_login", ["Dan Dispatcher", "Ada Admin", "Eve Engineer"]),
        ("?kind=employees&status=invited", ["Eve Engineer"]),
    ],
)
def test_list_filters_search_and_sort(people, query, expected):
    viewer = people["ada"]
    query = query.format(acme=people["acme"].pk, bolt=people["bolt"].pk)

    response = en_client(viewer).get(reverse("backoffice:people") + query)

    assert response.status_code == 200
    assert names(response) == expected


def test_list_shows_tabs_columns_and_badges(people, world):
    response = en_client(people["ada"]).get(reverse("backoffice:people"))

    html = response.content.decode()
    # 3 + the world's 7 customers; 3 + the world's 4 employees
    assert response.context["counts"] == {"customers": 10, "employees": 7}
    assert 'href="/backoffice/people/?kind=employees"' in html
    row = html.split(f'data-person="{people["cid"].pk}"')[1].split("</tr>")[0]
    assert "Acme" in row and "Bolt" in row
    assert "Deactivated" in row
    row = html.split(f'data-person="{people["bob"].pk}"')[1].split("</tr>")[0]
    assert "Invited" in row
    assert f'href="/backoffice/people/{people["bob"].pk}/"' in row
    assert "New person" in html


def test_the_export_link_carries_the_filters(people):
    acme = people["acme"].pk

    response = en_client(people["ada"]).get(
        f"/backoffice/people/?kind=customers&q=ann&company={acme}&status=active&page=2&per_page=50"
    )

    assert response.context["export_url"] == (
        f"/backoffice/people/export/?kind=customers&q=ann&company={acme}&status=active"
    )
    assert f'href="/backoffice/people/export/?kind=customers&amp;q=ann&amp;company={acme}' in (
        response.content.decode()
    )


def test_pagination_and_page_size(db):
    admin = UserFactory(admin=True)
    company = CompanyFactory()
    for n in range(60):
        MembershipFactory(company=company, user__full_name=f"Person {n:02d}")
    client = en_client(admin)

    first = client.get("/backoffice/people/")
    third = client.get("/backoffice/people/?page=3")
    fifty = client.get("/backoffice/people/?per_page=50&page=2")
    beyond = client.get("/backoffice/people/?page=99")

    assert names(first) == [f"Person {n:02d}" for n in range(25)]
    assert names(third) == [f"Person {n:02d}" for n in range(50, 60)]
    assert names(fifty) == [f"Person {n:02d}" for n in range(50, 60)]
    assert names(beyond) == names(third)  # the last page
    assert '<a class="page-link" href="?page=2" hx-get="?page=2">2</a>' in first.content.decode()
    assert 'href="?per_page=100"' in first.content.decode()


def test_htmx_requests_get_the_results_only(people):
    client = en_client(people["ada"])

    response = client.get(
        "/backoffice/people/?q=ann&order=-full_name", headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "<html" not in html
    assert 'data-testid="people-table"' in html
    assert 'id="people-filter-state" class="d-none" hx-swap-oob="true"' in html
    assert '<input type="hidden" name="order" value="-full_name"' in html
    assert 'id="people-export"' in html and 'hx-swap-oob="true"' in html
    assert names(response) == ["Ann Archer"]
    assert "HX-Request" in response["Vary"]

    # A history restore (back button with an empty htmx cache) gets the whole page.
    restore = client.get(
        "/backoffice/people/?q=ann",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()


def test_the_list_runs_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    admin = UserFactory(admin=True)
    companies = [CompanyFactory() for _ in range(3)]

    def add_people(count: int) -> None:
        for _ in range(count):
            user = MembershipFactory(company=companies[0]).user
            MembershipFactory(user=user, company=companies[1])

    client = en_client(admin)
    add_people(5)
    client.get("/backoffice/people/")  # the menu's unread badge, cached from then on
    with django_assert_max_num_queries(8) as small:
        assert client.get("/backoffice/people/").status_code == 200
    add_people(10)
    with django_assert_max_num_queries(8) as large:
        assert client.get("/backoffice/people/").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    with django_assert_max_num_queries(8):
        assert client.get("/backoffice/people/?kind=employees").status_code == 200


def test_scope_options_offer_the_companys_sites_and_equipment(world):
    client = en_client(world.users["dispatcher"])
    url = reverse("backoffice:membership_scope_options")

    html = client.get(f"{url}?company={world.companies['B'].pk}&prefix=memberships-3").content
    html = html.decode()

    assert "beta-warehouse-site" in html and "beta-forklift" in html
    assert "alpha-" not in html
    assert 'name="memberships-3-sites"' in html
    assert 'name="memberships-3-equipment"' in html
    # The row's own field name works too (htmx sends the select's value under its name).
    html = client.get(f"{url}?memberships-0-company={world.companies['A'].pk}&prefix=memberships-0")
    assert "alpha-room-site" in html.content.decode()
    assert client.get(f"{url}?company=999999&prefix=memberships-0").status_code == 404
    assert client.get(f"{url}?company=1&prefix=<script>").status_code == 404
    assert "Choose the company first" in client.get(f"{url}?prefix=memberships-0").content.decode()


def test_the_people_list_offers_the_export_as_xlsx_and_csv(people):
    client = en_client(people["ada"])
    html = client.get("/backoffice/people/?kind=customers&q=ann").content.decode()
    menu = html.split('id="people-export"')[1].split("</div>")[0]
    xlsx = re.search(r'href="([^"]+)" data-testid="export-xlsx"', menu)
    csv = re.search(r'href="([^"]+)" data-testid="export-csv"', menu)
    assert xlsx and csv
    workbook = client.get(xlsx[1].replace("&amp;", "&"))
    assert workbook.status_code == 200
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    text = client.get(csv[1].replace("&amp;", "&"))
    assert text.status_code == 200 and text["Content-Type"].startswith("text/csv")


def test_the_people_section_is_not_called_employees_in_russian(people):
    # Customers are not the provider's employees: «Пользователи», with the tabs
    # «Заказчики» / «Сотрудники» (as HubEx names them)
    html = (
        login(Client(headers={"accept-language": "ru"}), people["ada"])
        .get("/backoffice/people/?kind=customers")
        .content.decode()
    )
    assert '<h1 class="h3 mb-0 me-auto">Пользователи</h1>' in html
    tabs = html.split('data-testid="people-tabs"')[1].split("</ul>")[0]
    assert "Заказчики" in tabs and "Сотрудники" in tabs
