"""Access requests in the back office: who may see them, the list, approving (creates the
customer and invites them) and rejecting (tells the person by email)."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from servicedesk.accounts.models import AccessRequest, Membership, Role, User
from tests.conftest import login
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/backoffice/access-requests/"
EN = {"accept-language": "en"}


def make_request(**fields) -> AccessRequest:
    fields = {
        "full_name": "Ivan Sidorov",
        "email": "ivan@alfa.test",
        "company_name": "Alphacorp",
        "language": "en",
        **fields,
    }
    return AccessRequest.objects.create(**fields)


def detail(pk: int) -> str:
    return f"{LIST}{pk}/"


@pytest.fixture
def dispatcher(client, world):
    user = world.users["dispatcher"]
    user.language = "en"
    user.save()
    login(client, user)
    return user


# --- Who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_key", "status"),
    [("admin", 200), ("dispatcher", 200), ("engineer", 404), ("cust_a", 404)],
)
def test_only_deciders_see_the_pages(client, world, user_key, status):
    request = make_request()
    login(client, world.users[user_key])
    assert client.get(LIST).status_code == status
    assert client.get(detail(request.pk)).status_code == status


def test_signed_out_people_go_to_the_login_page(client, db):
    assert client.get(LIST)["Location"] == f"/accounts/login/?next={LIST}"


@pytest.mark.parametrize("user_key", ["engineer", "cust_a"])
def test_others_cannot_decide_and_nothing_changes(client, world, user_key):
    request = make_request()
    login(client, world.users[user_key])
    company = world.companies["A"]

    approve = client.post(
        f"{detail(request.pk)}approve/", {"company": company.pk, "scope": "company"}
    )
    reject = client.post(f"{detail(request.pk)}reject/", {"reason": "No"})

    assert (approve.status_code, reject.status_code) == (404, 404)
    request.refresh_from_db()
    assert request.status == "pending"
    assert not User.objects.filter(email="ivan@alfa.test").exists()
    assert mail.outbox == []


def test_the_nav_shows_the_section_to_deciders_only(client, world):
    login(client, world.users["dispatcher"])
    assert f'href="{LIST}"' in client.get("/backoffice/").content.decode()
    login(client, world.users["engineer"])
    assert f'href="{LIST}"' not in client.get("/backoffice/").content.decode()


# --- The list ------------------------------------------------------------------------------------


def rows(response) -> list[str]:
    return [r.full_name for r in response.context["page"].object_list]


def test_pending_requests_come_first_then_the_newest(client, dispatcher):
    make_request(full_name="Old pending")
    make_request(full_name="Approved", status="approved", decided_at=timezone.now())
    make_request(full_name="New pending")
    make_request(full_name="Rejected", status="rejected", decided_at=timezone.now())

    response = client.get(LIST, headers=EN)

    assert rows(response) == ["New pending", "Old pending", "Rejected", "Approved"]
    html = response.content.decode()
    assert "Access requests</h1>" in html
    tabs = [(value, str(label), count) for value, label, count in response.context["tabs"]]
    assert tabs == [
        ("", "All", 4),
        ("pending", "Pending", 2),
        ("approved", "Approved", 1),
        ("rejected", "Rejected", 1),
    ]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("pending", ["P2", "P1"]),
        ("rejected", ["R"]),
        ("approved", []),
        ("bogus", ["P2", "P1", "R"]),
    ],
)
def test_the_list_filters_by_status(client, dispatcher, status, expected):
    make_request(full_name="P1")
    make_request(full_name="R", status="rejected")
    make_request(full_name="P2")

    response = client.get(LIST, {"status": status})

    assert rows(response) == expected


def test_the_list_is_paginated_with_a_bounded_number_of_queries(
    client, dispatcher, django_assert_max_num_queries
):
    company = CompanyFactory()
    asker = UserFactory()
    for n in range(60):
        make_request(full_name=f"Person {n:02d}", company=company, requested_by=asker)

    # Session, user, the page's two queries, the count — and the bell's unread count (the
    # menu's unread messages badge is cached from the first page on).
    client.get(LIST)
    with django_assert_max_num_queries(6):
        first = client.get(LIST)
    with django_assert_max_num_queries(6):
        third = client.get(LIST, {"page": 3})

    assert len(rows(first)) == 25
    assert rows(first)[0] == "Person 59"
    assert rows(third) == [f"Person {n:02d}" for n in range(9, -1, -1)]
    assert 'data-testid="next-page"' in first.content.decode()


def test_an_htmx_request_gets_only_the_list(client, dispatcher):
    make_request(full_name="Only one")
    response = client.get(LIST, {"status": "pending"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="access-requests"')
    assert "<html" not in html
    assert "Only one" in html


# --- One request ---------------------------------------------------------------------------------


def test_a_pending_request_shows_both_decisions(
    client, dispatcher, world, django_assert_max_num_queries
):
    request = make_request(position="Manager", comment="Shops in Kazan", phone="+79123456789")

    # With the bell's unread count, and the menu's unread badge until it is cached.
    with django_assert_max_num_queries(7):
        response = client.get(detail(request.pk), headers=EN)

    html = response.content.decode()
    assert 'data-testid="approve-form"' in html
    assert 'data-testid="reject-form"' in html
    assert "Shops in Kazan" in html
    assert "+7 912 345-67-89" in html
    # The company typed matches an existing one exactly: it is preselected
    assert response.context["approve_form"]["company"].value() == world.companies["A"].pk


def test_a_company_named_by_a_portal_user_is_preselected(client, dispatcher, world):
    request = make_request(company=world.companies["B"], company_name="Betaworks")
    response = client.get(detail(request.pk))
    assert response.context["approve_form"]["company"].value() == world.companies["B"].pk


def test_an_unknown_company_name_preselects_nothing(client, dispatcher, world):
    request = make_request(company_name="Gammasoft")
    response = client.get(detail(request.pk))
    assert response.context["approve_form"]["company"].value() is None


def test_a_decided_request_shows_the_decision_and_no_forms(client, dispatcher, world):
    request = make_request(
        status="rejected",
        decided_by=world.users["admin"],
        decided_at=timezone.now(),
        rejection_reason="Not our customer",
    )
    html = client.get(detail(request.pk), headers=EN).content.decode()
    assert 'data-testid="approve-form"' not in html
    assert 'data-testid="reject-form"' not in html
    assert "Not our customer" in html
    assert f"Rejected by {world.users['admin'].full_name}" in html


def test_scope_options_offer_only_the_chosen_companys_sites_and_equipment(
    client, dispatcher, world
):
    request = make_request()
    response = client.get(
        f"{detail(request.pk)}scope-options/",
        {"company": world.companies["B"].pk, "scope": "listed"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="approve-scope"')
    assert "beta-warehouse-site" in html
    assert "beta-forklift" in html
    assert "alpha-hq-site" not in html
    # The whole company needs no list
    response = client.get(
        f"{detail(request.pk)}scope-options/",
        {"company": world.companies["B"].pk, "scope": "company"},
    )
    assert 'name="sites"' not in response.content.decode()


# --- Approving -----------------------------------------------------------------------------------


def approve(client, request, **data):
    return client.post(f"{detail(request.pk)}approve/", data, headers=EN)


def test_approving_creates_the_customer_and_sends_the_invitation(
    client, dispatcher, world, django_capture_on_commit_callbacks
):
    request = make_request(phone="+79123456789", position="Manager", language="en")
    company = world.companies["A"]

    with django_capture_on_commit_callbacks(execute=True):
        response = approve(
            client, request, company=company.pk, scope="company", sees_all_tickets="on"
        )

    assert response.status_code == 302
    assert response["Location"] == LIST
    user = User.objects.get(email="ivan@alfa.test")
    assert (user.full_name, user.role, user.position, user.language, user.phone.as_e164) == (
        "Ivan Sidorov",
        Role.CUSTOMER,
        "Manager",
        "en",
        "+79123456789",
    )
    assert not user.has_usable_password()
    membership = user.memberships.get()
    assert (membership.company, membership.scope, membership.sees_all_tickets) == (
        company,
        "company",
        True,
    )
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.user) == ("approved", dispatcher, user)
    [message] = mail.outbox
    assert message.to == ["ivan@alfa.test"]
    assert message.subject == "Your invitation to the Servicedesk customer portal"
    page = client.get(LIST, headers=EN).content.decode()
    assert (
        "Ivan Sidorov is now a customer of Alphacorp. The invitation has been sent by email."
        in page
    )


def test_approving_with_listed_equipment(client, dispatcher, world):
    request = make_request()
    company = world.companies["A"]
    site = world.sites["a_shop"]
    kit = world.equipment["eq_a_hq"]

    response = approve(
        client, request, company=company.pk, scope="listed", sites=[site.pk], equipment=[kit.pk]
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user__email="ivan@alfa.test")
    assert membership.scope == "listed"
    assert membership.sees_all_tickets is False  # the box was not ticked
    assert list(membership.sites.all()) == [site]
    assert list(membership.equipment.all()) == [kit]


def test_another_companys_site_is_refused_and_nothing_is_created(client, dispatcher, world):
    request = make_request()

    response = approve(
        client,
        request,
        company=world.companies["A"].pk,
        scope="listed",
        sites=[world.sites["b_wh"].pk],
    )

    assert response.status_code == 200
    # The same message as the People form gives: which object, and which company it is not of
    assert response.context["approve_form"].errors["sites"] == [
        f"{world.sites['b_wh']} does not belong to {world.companies['A']}."
    ]
    assert not User.objects.filter(email="ivan@alfa.test").exists()
    request.refresh_from_db()
    assert request.status == "pending"


def test_a_listed_scope_needs_something_listed(client, dispatcher, world):
    request = make_request()
    response = approve(client, request, company=world.companies["A"].pk, scope="listed")
    assert (
        "Choose at least one site or piece of equipment, or the whole company."
        in response.content.decode()
    )
    assert not User.objects.filter(email="ivan@alfa.test").exists()


def test_an_existing_email_is_a_clear_error_and_nothing_is_created(
    client, dispatcher, world, django_capture_on_commit_callbacks
):
    UserFactory(email="ivan@alfa.test")
    request = make_request(email="IVAN@alfa.test")
    users = User.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = approve(client, request, company=world.companies["A"].pk, scope="company")

    assert response.status_code == 200
    assert "A user with this email already exists." in response.content.decode()
    assert User.objects.count() == users
    request.refresh_from_db()
    assert request.status == "pending"
    assert mail.outbox == []


def test_a_decided_request_cannot_be_decided_again(client, dispatcher, world):
    request = make_request(status="approved", decided_at=timezone.now())
    assert (
        approve(client, request, company=world.companies["A"].pk, scope="company").status_code
        == 404
    )
    response = client.post(f"{detail(request.pk)}reject/", {"reason": "No"})
    assert response.status_code == 404
    assert not User.objects.filter(email="ivan@alfa.test").exists()


# --- Rejecting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_rejecting_tells_the_person_by_email_in_their_language(
    client, dispatcher, language, django_capture_on_commit_callbacks
):
    request = make_request(language=language)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{detail(request.pk)}reject/", {"reason": "Not one of our customers."}, headers=EN
        )

    assert response["Location"] == LIST
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.rejection_reason) == (
        "rejected",
        dispatcher,
        "Not one of our customers.",
    )
    [message] = mail.outbox
    assert message.to == ["ivan@alfa.test"]
    html = message.alternatives[0][0]
    assert f'<html lang="{language}">' in html
    assert "Not one of our customers." in message.body
    assert "Not one of our customers." in html
    if language == "en":
        assert message.subject == "Your request for access to Servicedesk"
        assert "has been declined" in message.body
    assert not User.objects.filter(email="ivan@alfa.test").exists()


def test_a_reason_is_required(client, dispatcher):
    request = make_request()
    response = client.post(f"{detail(request.pk)}reject/", {"reason": "  "}, headers=EN)
    assert response.status_code == 200
    assert response.context["reject_form"].errors == {"reason": ["This field is required."]}
    request.refresh_from_db()
    assert request.status == "pending"
    assert mail.outbox == []


def test_rejecting_a_phone_only_request_sends_no_email(
    client, dispatcher, django_capture_on_commit_callbacks
):
    request = make_request(email="", phone="+79123456789")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{detail(request.pk)}reject/", {"reason": "No"}, follow=True, headers=EN
        )
    assert mail.outbox == []
    assert re.search(r"The person gave no email address", response.content.decode())
