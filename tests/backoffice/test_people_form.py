"""Creating and editing people through the back-office form."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from servicedesk.accounts.models import AuditEvent, Invitation, Membership, Role, User
from tests.backoffice.test_people import en_client
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = reverse("backoffice:person_new")


def person_data(**fields) -> dict:
    data = {
        "full_name": "Nina Newcomer",
        "email": "nina@alfa.test",
        "phone": "",
        "position": "Office manager",
        "role": Role.CUSTOMER,
        "language": "en",
        "time_zone": "Europe/Moscow",
        "send_invitation": "on",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def memberships(*rows: dict, initial: int = 1) -> dict:
    data = {
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"memberships-{n}-{key}"] = value
    return data


def whole(company, sees_all: bool = True) -> dict:
    row = {"company": company.pk, "scope": "company"}
    if sees_all:
        row["sees_all_tickets"] = "on"
    return row


def listed(company, sites=(), equipment=(), sees_all: bool = False) -> dict:
    row = {
        "company": company.pk,
        "scope": "listed",
        "sites": [s.pk for s in sites],
        "equipment": [e.pk for e in equipment],
    }
    if sees_all:
        row["sees_all_tickets"] = "on"
    return row


def test_a_dispatcher_creates_a_customer_of_two_companies_and_invites_them(
    world, django_capture_on_commit_callbacks
):
    a, b = world.companies["A"], world.companies["B"]
    room, eq_shop = world.sites["a_room"], world.equipment["eq_a_shop"]
    client = en_client(world.users["dispatcher"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW,
            {
                **person_data(phone="+7 912 345-67-89", email="Nina@Alfa.TEST"),
                **memberships(listed(a, sites=[room], equipment=[eq_shop]), whole(b)),
            },
        )

    nina = User.objects.get(email="nina@alfa.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:person_detail", args=[nina.pk])
    assert (nina.full_name, nina.role, nina.position, str(nina.phone.as_e164)) == (
        "Nina Newcomer", Role.CUSTOMER, "Office manager", "+79123456789",
    )  # fmt: skip
    assert (nina.language, nina.time_zone, nina.activated_at) == ("en", "Europe/Moscow", None)
    rows = [
        (m.company, m.scope, list(m.sites.all()), list(m.equipment.all()), m.sees_all_tickets)
        for m in Membership.objects.filter(user=nina).order_by("company__name")
    ]
    assert rows == [
        (a, "listed", [room], [eq_shop], False),
        (b, "company", [], [], True),
    ]
    invitation = Invitation.objects.get(user=nina)
    assert invitation.channel == "email" and invitation.sent_by == world.users["dispatcher"]
    assert [m.to for m in mail.outbox] == [["nina@alfa.test"]]
    assert list(AuditEvent.objects.filter(user=nina).values_list("kind", flat=True)) == [
        "invitation_sent",
        "user_created",
    ]
    detail = client.get(response["Location"]).content.decode()
    assert "Nina Newcomer has been added and invited." in detail
    assert "alpha-room-site" in detail


def test_an_admin_creates_an_engineer_without_an_invitation(world):
    client = en_client(world.users["admin"])

    response = client.post(
        NEW,
        {
            **person_data(role=Role.ENGINEER, send_invitation=None, email="eng@provider.test"),
            # Rows typed before switching the role to engineer are ignored.
            **memberships({"company": "", "scope": "company"}),
        },
    )

    engineer = User.objects.get(email="eng@provider.test")
    assert response.status_code == 302
    assert engineer.role == Role.ENGINEER
    assert not engineer.memberships.exists()
    assert not Invitation.objects.filter(user=engineer).exists()
    assert mail.outbox == []


def test_a_dispatcher_cannot_create_staff(world):
    client = en_client(world.users["dispatcher"])
    count = User.objects.count()

    response = client.post(
        NEW, {**person_data(role=Role.ADMIN), **memberships(whole(world.companies["A"]))}
    )

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert User.objects.count() == count
    # The role field is hidden from a dispatcher (customers only): the refusal is shown above
    # the form, not lost with the hidden field
    errors = re.search(
        r'data-testid="form-errors">(.*?)</div>\s*\n', response.content.decode(), re.S
    )
    assert errors and "Select a valid choice" in errors[1]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "ANNA@alfa.test"}, "email", "A user with this email already exists."),
        ({"email": "", "phone": "8 912 000-00-01"}, "phone",
         "A user with this phone number already exists."),
        ({"email": "", "phone": ""}, "email", "Give an email address or a phone number."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"phone": "12"}, "phone", None),  # phonenumber_field's wording varies by version
        ({"full_name": ""}, "full_name", "This field is required."),
    ],
)  # fmt: skip
def test_bad_details_are_field_errors_and_nothing_is_lost(world, fields, field, message):
    UserFactory(email="anna@alfa.test", phone="+79120000001")
    client = en_client(world.users["dispatcher"])
    count, events = User.objects.count(), AuditEvent.objects.count()
    a = world.companies["A"]
    data = {
        **person_data(**fields),
        **memberships(listed(a, sites=[world.sites["a_shop"]])),
    }

    response = client.post(NEW, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field] == [message] if message else form.errors[field]
    assert User.objects.count() == count
    assert AuditEvent.objects.count() == events
    assert mail.outbox == []
    html = response.content.decode()
    # Nothing typed is lost: the details, the company, the scope and the listed site.
    assert 'value="Office manager"' in html
    assert f'<option value="{a.pk}" selected>' in html
    assert 'name="memberships-0-scope" value="listed" class="form-check-input"' in html
    assert f'value="{world.sites["a_shop"].pk}" class="form-check-input"' in html
    assert "checked" in html.split(f'value="{world.sites["a_shop"].pk}"')[1].split(">")[0]


def test_sites_or_equipment_of_another_company_are_refused(world):
    client = en_client(world.users["dispatcher"])
    count = User.objects.count()
    a = world.companies["A"]

    response = client.post(
        NEW,
        {
            **person_data(),
            **memberships(
                listed(a, sites=[world.sites["b_wh"]], equipment=[world.equipment["eq_b"]])
            ),
        },
    )

    assert response.status_code == 200
    mform = response.context["formset"].forms[0]
    assert mform.errors["sites"] == ["beta-warehouse-site does not belong to Alphacorp."]
    assert mform.errors["equipment"][0].startswith("beta-forklift")
    assert User.objects.count() == count
    assert not Membership.objects.filter(user__email="nina@alfa.test").exists()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("none", "A customer must belong to at least one company."),
        ("twice", "Alphacorp is given twice: each company only once."),
        ("removed", "A customer must belong to at least one company."),
    ],
)
def test_a_customer_needs_companies_each_once(world, rows, message):
    a = world.companies["A"]
    data = {
        "none": memberships(),
        "twice": memberships(whole(a), whole(a)),
        "removed": memberships({**whole(a), "DELETE": "on"}),
    }[rows]
    client = en_client(world.users["dispatcher"])
    count = User.objects.count()

    response = client.post(NEW, {**person_data(), **data})

    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == [message]
    assert User.objects.count() == count


def test_listed_scope_needs_something_listed(world):
    client = en_client(world.users["dispatcher"])

    response = client.post(NEW, {**person_data(), **memberships(listed(world.companies["A"]))})

    assert response.context["formset"].forms[0].errors["sites"] == [
        "Choose at least one site or piece of equipment, or the whole company."
    ]
    assert not User.objects.filter(email="nina@alfa.test").exists()


def test_the_new_form_offers_roles_by_permission(world):
    admin_form = en_client(world.users["admin"]).get(NEW).context["form"]
    dispatcher_form = en_client(world.users["dispatcher"]).get(NEW).context["form"]

    assert [v for v, _ in admin_form.fields["role"].choices] == [
        "customer", "admin", "dispatcher", "engineer",
    ]  # fmt: skip
    assert [v for v, _ in dispatcher_form.fields["role"].choices] == ["customer"]
    assert dispatcher_form["role"].is_hidden


# --- Editing -----------------------------------------------------------------------------------


def test_editing_a_customer_replaces_details_and_companies(world):
    person = world.users["cust_ab"]
    a, b = world.companies["A"], world.companies["B"]
    client = en_client(world.users["dispatcher"])
    url = reverse("backoffice:person_edit", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["formset"].forms) == 2

    response = client.post(
        url,
        {
            **person_data(full_name="Renamed Person", email=person.email.upper()),
            **memberships(
                listed(a, equipment=[world.equipment["eq_a_hq"]], sees_all=True),
                {**whole(b), "DELETE": "on"},
                initial=2,
            ),
        },
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.full_name == "Renamed Person"
    assert person.email == person.email.lower()
    rows = [(m.company, m.scope, list(m.equipment.all())) for m in person.memberships.all()]
    assert rows == [(a, "listed", [world.equipment["eq_a_hq"]])]
    event = AuditEvent.objects.filter(user=person, kind="user_updated").get()
    assert event.actor == world.users["dispatcher"]
    assert sorted(event.details["fields"]) == ["full_name", "language", "position", "time_zone"]


def test_an_admin_changes_a_staff_role_in_the_form(world):
    engineer = world.users["engineer"]
    client = en_client(world.users["admin"])

    response = client.post(
        reverse("backoffice:person_edit", args=[engineer.pk]),
        person_data(role=Role.DISPATCHER, email=engineer.email, full_name=engineer.full_name),
    )

    assert response.status_code == 302
    engineer.refresh_from_db()
    assert engineer.role == Role.DISPATCHER
    assert AuditEvent.objects.get(user=engineer, kind="role_changed").details == {
        "old": "engineer", "new": "dispatcher",
    }  # fmt: skip


def test_an_admin_cannot_change_their_own_role_in_the_form(world):
    admin = world.users["admin"]
    client = en_client(admin)
    url = reverse("backoffice:person_edit", args=[admin.pk])

    assert "role" not in client.get(url).context["form"].fields
    response = client.post(url, person_data(role=Role.ENGINEER, email=admin.email))

    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_editing_into_a_taken_email_is_a_field_error(world):
    person = world.users["cust_a"]
    other = world.users["cust_b"]
    client = en_client(world.users["dispatcher"])

    response = client.post(
        reverse("backoffice:person_edit", args=[person.pk]),
        {**person_data(email=other.email.upper()), **memberships(whole(world.companies["A"]))},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["A user with this email already exists."]
    person.refresh_from_db()
    assert person.full_name != "Nina Newcomer"


def test_the_form_lists_only_the_chosen_companys_sites(world):
    person = MembershipFactory(
        company=world.companies["B"], listed=True, equipment=[world.equipment["eq_b"]]
    ).user
    html = (
        en_client(world.users["dispatcher"])
        .get(reverse("backoffice:person_edit", args=[person.pk]))
        .content.decode()
    )

    rows = html.split('id="membership-empty"')[0]
    assert "beta-forklift" in rows
    assert "alpha-" not in rows
    other = CompanyFactory(name="Gamma")
    assert f'<option value="{other.pk}">Gamma</option>' in (
        en_client(world.users["dispatcher"])
        .get(reverse("backoffice:person_edit", args=[person.pk]))
        .content.decode()
    )


def test_staff_switch_a_membership_analytics_on_and_off(world):
    """«Аналитика» per membership: as the scope says by default (a listed-place member has it
    off), switched on or off explicitly; the portal's report follows."""
    a, b = world.companies["A"], world.companies["B"]
    client = en_client(world.users["dispatcher"])
    eq_shop = world.equipment["eq_a_shop"]
    client.post(
        NEW,
        {
            **person_data(email="ana@alfa.test"),
            **memberships(
                {**listed(a, equipment=[eq_shop]), "analytics": "1"},
                {**whole(b), "analytics": "0"},
            ),
        },
    )
    ana = User.objects.get(email="ana@alfa.test")
    rows = Membership.objects.filter(user=ana)
    found = {m.company: (m.analytics, m.sees_analytics) for m in rows}
    assert found == {a: (True, True), b: (False, False)}
    # Back to "as the scope says": the listed membership loses it, the whole one regains it.
    edit = reverse("backoffice:person_edit", args=[ana.pk])
    page = client.get(edit).content.decode()
    assert 'name="memberships-0-analytics"' in page
    client.post(
        edit,
        {
            **person_data(email="ana@alfa.test"),
            **memberships(
                {**listed(a, equipment=[eq_shop]), "analytics": ""},
                {**whole(b), "analytics": ""},
                initial=2,
            ),
        },
    )
    found = {m.company: m.sees_analytics for m in Membership.objects.filter(user=ana)}
    assert found == {a: False, b: True}
