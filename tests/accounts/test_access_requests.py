"""Asking for access: the public form (honeypot, rate limit, language) and a customer asking for
a colleague from the portal (only for their own companies)."""

import pytest

from servicedesk.accounts.models import AccessRequest, AuditEvent
from tests.conftest import login

pytestmark = pytest.mark.django_db

FORM = "/access/request/"
SENT = "/access/request/sent/"
EN = {"accept-language": "en"}

VALID = {
    "full_name": "Ivan Sidorov",
    "email": "Ivan.Sidorov@Alfa.test",
    "phone": "",
    "company_name": "Alfa Retail",
    "position": "Facility manager",
    "comment": "I look after the shops in Kazan.",
    "website": "",
}


def post(client, data=None, headers=None, **extra):
    return client.post(FORM, {**VALID, **(data or {})}, headers={**EN, **(headers or {})}, **extra)


# --- The public form ----------------------------------------------------------------------------


def test_the_login_page_links_to_the_request_form(client):
    html = client.get("/accounts/login/", headers=EN).content.decode()
    assert '<a href="/access/request/" data-testid="request-access">Request access</a>' in html


def test_the_form_shows_the_fields_and_hides_the_honeypot(client):
    response = client.get(FORM, headers=EN)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("full_name", "email", "phone", "company_name", "position", "comment"):
        assert f'name="{name}"' in html
    assert 'style="position:absolute;left:-10000px;' in html
    assert 'name="website" id="id_website" value="" tabindex="-1" autocomplete="off"' in html


def test_a_request_is_stored_and_thanked_for(client):
    # When someone fills in the form in English
    response = post(client)

    # Then they see the thank-you page
    assert response.status_code == 302
    assert response["Location"] == SENT
    page = client.get(SENT, headers=EN)
    assert "Thank you, your request is sent" in page.content.decode()
    # And one pending request holds exactly what they typed
    request = AccessRequest.objects.get()
    assert (
        request.full_name, request.email, str(request.phone), request.company_name,
        request.position, request.comment, request.language, request.status,
        request.requested_by, request.company, request.ip,
    ) == (
        "Ivan Sidorov", "ivan.sidorov@alfa.test", "", "Alfa Retail",
        "Facility manager", "I look after the shops in Kazan.", "en", "pending",
        None, None, "127.0.0.1",
    )  # fmt: skip
    event = AuditEvent.objects.get()
    assert (event.kind, event.actor, event.identifier, event.details) == (
        "access_requested",
        None,
        "ivan.sidorov@alfa.test",
        {"access_request": request.pk},
    )


def test_the_language_is_the_one_the_page_was_shown_in(client):
    post(client, headers={"accept-language": "ru"})
    assert AccessRequest.objects.get().language == "ru"


def test_a_phone_alone_is_enough(client):
    response = post(client, {"email": "", "phone": "8 912 345-67-89"})
    assert response["Location"] == SENT
    assert AccessRequest.objects.get().phone.as_e164 == "+79123456789"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": "", "phone": ""}, "Give an email address or a phone number."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"phone": "12"}, "Enter a valid phone number"),
        ({"full_name": ""}, "This field is required."),
        ({"company_name": ""}, "This field is required."),
    ],
)
def test_bad_input_is_refused_and_what_was_typed_is_kept(client, data, error):
    response = post(client, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert 'value="Facility manager"' in html
    assert "I look after the shops in Kazan.</textarea>" in html
    assert AccessRequest.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_filled_honeypot_pretends_success_and_stores_nothing(client):
    response = post(client, {"website": "http://spam.test"})

    assert response.status_code == 302
    assert response["Location"] == SENT
    assert AccessRequest.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_requests_are_rate_limited_per_client_address(client):
    # Given five requests from one address within the hour ("5/h/ip")
    for n in range(5):
        assert post(client, {"email": f"person{n}@alfa.test"})["Location"] == SENT

    # When a sixth comes
    response = post(client, {"email": "person5@alfa.test"})

    # Then it is refused with a clear message, the typed values kept, and nothing stored
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts from here. Nothing was sent; wait a while and try again." in html
    assert 'value="person5@alfa.test"' in html
    assert AccessRequest.objects.count() == 5
    # Another address is not affected
    assert post(client, {"email": "other@beta.test"}, REMOTE_ADDR="10.0.0.7").status_code == 302


def test_honeypot_requests_count_towards_the_limit(client):
    for _ in range(5):
        post(client, {"website": "spam"})
    assert post(client).status_code == 429
    assert AccessRequest.objects.count() == 0


# --- A colleague, from the portal -----------------------------------------------------------------

COLLEAGUE = "/portal/colleagues/request/"


def colleague_data(company_obj, **changes):
    return {
        "company": company_obj.pk,
        "full_name": "Petr Kuznetsov",
        "email": "petr@alfa.test",
        "phone": "",
        "position": "Engineer",
        "comment": "Joins the Kazan team.",
        **changes,
    }


def test_the_portal_links_to_the_colleague_form(client, world):
    login(client, world.users["cust_a"])
    html = client.get("/portal/companies/", headers=EN).content.decode()
    assert 'href="/portal/colleagues/request/" data-testid="colleague-access-link"' in html


def test_a_customer_without_a_company_sees_no_link(client, world):
    login(client, world.users["cust_none"])
    html = client.get("/portal/companies/", headers=EN).content.decode()
    assert "colleague-access-link" not in html


@pytest.mark.parametrize(
    ("user_key", "companies"),
    [("cust_a", ["A"]), ("cust_ab", ["A", "B"]), ("cust_eq", ["A"]), ("cust_b", ["B"])],
)
def test_only_the_requesters_companies_are_offered(client, world, user_key, companies):
    login(client, world.users[user_key])
    response = client.get(COLLEAGUE, headers=EN)
    assert response.status_code == 200
    field = response.context["form"].fields["company"]
    assert [c.pk for c in field.queryset] == [world.companies[k].pk for k in companies]


def test_a_colleague_request_is_stored_for_the_company(client, world):
    cust = world.users["cust_a"]
    cust.language = "en"
    cust.save()
    login(client, cust)

    response = client.post(COLLEAGUE, colleague_data(world.companies["A"]), follow=True)

    assert response.redirect_chain == [(COLLEAGUE, 302)]
    request = AccessRequest.objects.get()
    assert (
        request.full_name, request.email, request.company, request.company_name,
        request.requested_by, request.language, request.status, request.position,
    ) == (
        "Petr Kuznetsov", "petr@alfa.test", world.companies["A"], "Alphacorp",
        cust, "en", "pending", "Engineer",
    )  # fmt: skip
    html = response.content.decode()
    assert "Your request for Petr Kuznetsov is sent." in html
    assert 'data-testid="recent-requests"' in html
    assert "Petr Kuznetsov</div>" in html
    event = AuditEvent.objects.get(kind="access_requested")
    assert (event.actor, event.identifier) == (cust, "petr@alfa.test")


@pytest.mark.parametrize("foreign", ["B", "missing"])
def test_a_foreign_company_is_refused_and_nothing_is_stored(client, world, foreign):
    # Given a customer of company A only
    login(client, world.users["cust_a"])
    company_id = world.companies["B"].pk if foreign == "B" else 999_999

    # When they post another company's id
    data = colleague_data(world.companies["A"], company=company_id)
    response = client.post(COLLEAGUE, data, headers=EN)

    # Then the form refuses it and nothing is stored
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "company": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert AccessRequest.objects.count() == 0
    assert not AuditEvent.objects.filter(kind="access_requested").exists()


def test_a_colleague_needs_an_email_or_a_phone(client, world):
    login(client, world.users["cust_a"])
    data = colleague_data(world.companies["A"], email="")
    response = client.post(COLLEAGUE, data, headers=EN)
    assert "Give an email address or a phone number." in response.content.decode()
    assert AccessRequest.objects.count() == 0


def test_the_recent_list_shows_only_the_requesters_own_requests(client_for, world):
    first = client_for(world.users["cust_a"])
    first.post(COLLEAGUE, colleague_data(world.companies["A"], full_name="Mine Colleague"))
    second = client_for(world.users["cust_ab"])
    second.post(COLLEAGUE, colleague_data(world.companies["B"], full_name="Other Colleague"))

    second.get(COLLEAGUE)  # the "sent" message is shown once
    html = second.get(COLLEAGUE, headers=EN).content.decode()
    assert "Other Colleague" in html
    assert "Mine Colleague" not in html


@pytest.mark.parametrize(("user_key", "status"), [("anonymous", 302), ("dispatcher", 302)])
def test_others_cannot_request_for_a_colleague(client, world, user_key, status):
    if user_key != "anonymous":
        login(client, world.users[user_key])
    response = client.post(COLLEAGUE, colleague_data(world.companies["A"]))
    assert response.status_code == status
    assert response["Location"] in (
        "/accounts/login/?next=/portal/colleagues/request/",
        "/backoffice/",
    )
    assert AccessRequest.objects.count() == 0
