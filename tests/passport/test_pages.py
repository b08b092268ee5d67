"""The passport page: what anyone sees (per equipment type), what a person in scope sees, and
what a guessed, rotated or foreign token gets."""

import pytest
from django.test import Client

from servicedesk.customers import passport
from servicedesk.customers.models import PassportPublication
from tests.factories import TicketFactory

pytestmark = pytest.mark.usefixtures("english")


def _page(client: Client, token: str) -> tuple[int, str]:
    response = client.get(f"/p/{token}/")
    return response.status_code, response.content.decode()


def test_only_the_name_is_public_when_nothing_is_set(world, boiler):
    status, html = _page(Client(), boiler.passport_token)
    assert status == 200
    assert boiler.name in html
    assert "SN-BOILER-1" not in html
    assert "Vitodens" not in html


def test_the_row_for_every_type_applies_and_a_type_row_overrides_it(world, boiler, publication):
    status, html = _page(Client(), boiler.passport_token)
    assert (status, "SN-BOILER-1" in html, "Vitodens 200" in html) == (200, True, True)

    boiler.equipment_type = "Boiler"
    boiler.save()
    PassportPublication.objects.create(equipment_type="Boiler", show_model=True, show_serial=False)
    status, html = _page(Client(), boiler.passport_token)
    assert (status, "SN-BOILER-1" in html, "Vitodens 200" in html) == (200, False, True)


@pytest.mark.parametrize(
    ("key", "sees_history"),
    [
        ("anonymous", False),
        ("cust_b", False),  # another company's customer: the public part only
        ("cust_eq", False),  # Alphacorp, but scoped to the shop's till only
        ("cust_site", True),  # Alphacorp, scoped to HQ: the boiler stands there
        ("cust_a", True),
        ("engineer", True),
        ("admin", True),
    ],
)
def test_history_and_contracts_only_for_people_whose_scope_includes_it(
    world, boiler, template, client_for, key, sees_history
):
    TicketFactory(equipment=boiler, subject="boiler-history-ticket", contact=world.users["cust_a"])
    TicketFactory(subject="unrelated-ticket", company=world.companies["A"])
    client = Client() if key == "anonymous" else client_for(world.users[key])
    status, html = _page(client, boiler.passport_token)
    assert status == 200
    assert ("boiler-history-ticket" in html) is sees_history
    assert ("alpha-whole-contract" in html) is sees_history
    assert ('data-testid="passport-history"' in html) is sees_history
    assert "unrelated-ticket" not in html
    assert "beta-whole-contract" not in html


def test_page_runs_a_fixed_number_of_queries(
    world, boiler, template, client_for, django_assert_max_num_queries
):
    client = client_for(world.users["cust_a"])
    for n in range(15):
        TicketFactory(equipment=boiler, subject=f"t{n}", contact=world.users["cust_a"])
    with django_assert_max_num_queries(16):
        assert client.get(f"/p/{boiler.passport_token}/").status_code == 200


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "..", "%00", "a%00b", "%E2%82%AC", "A" * 500])
def test_unknown_tokens_find_nothing(db, token):
    response = Client().get(f"/p/{token}/")
    assert response.status_code == 404
    assert b'data-testid="passport-unknown"' in response.content


def test_inactive_equipment_has_no_passport(world, boiler):
    boiler.is_active = False
    boiler.save()
    assert Client().get(f"/p/{boiler.passport_token}/").status_code == 404


def test_guessing_is_rate_limited_per_address_and_a_real_label_still_opens(world, boiler, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "passport_miss": "3/h/ip"}
    client = Client()
    statuses = [client.get(f"/p/guess-{n}/").status_code for n in range(5)]
    assert statuses == [404, 404, 404, 429, 429]
    # A real label is not a miss: it opens (its token is not guessable anyway).
    assert client.get(f"/p/{boiler.passport_token}/").status_code == 200
    # Another address is counted apart.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert other.get("/p/guess-x/").status_code == 404


def test_a_rotated_token_is_dead_everywhere(world, boiler, template, publication, client_for):
    old = boiler.passport_token
    new = passport.passport_token_rotate(obj=boiler)
    assert new != old
    anonymous, customer = Client(), client_for(world.users["cust_a"])
    for path in ("", "file/", "qr.svg", "qr.png", "photo.jpg", "register/confirm/", "join/"):
        for client in (anonymous, customer):
            response = client.get(f"/p/{old}/{path}")
            assert response.status_code == 410, (path, response.status_code)
            assert b'data-testid="passport-retired"' in response.content
    response = anonymous.post(f"/p/{old}/register/", {"full_name": "X", "identifier": "x@e.test"})
    assert response.status_code == 410
    assert customer.get(f"/p/{new}/").status_code == 200


def test_site_passport(world, client_for, publication):
    hq = world.sites["a_hq"]
    anonymous = Client().get(f"/p/site/{hq.passport_token}/")
    assert anonymous.status_code == 200
    assert hq.name in anonymous.content.decode()
    assert "alpha-hq-boiler" not in anonymous.content.decode()
    inside = client_for(world.users["cust_site"]).get(f"/p/site/{hq.passport_token}/")
    assert "alpha-hq-boiler" in inside.content.decode()
    assert "alpha-room-server" in inside.content.decode()
    foreign = client_for(world.users["cust_b"]).get(f"/p/site/{hq.passport_token}/")
    assert "alpha-hq-boiler" not in foreign.content.decode()
    # A site's token does not open an equipment passport, nor the other way round.
    assert Client().get(f"/p/{hq.passport_token}/").status_code == 404


def test_the_address_is_the_nearest_one_above(world, publication):
    publication.show_address = True
    publication.save()
    hq = world.sites["a_hq"]
    hq.address = "1 Main Street"
    hq.save()
    server = world.equipment["eq_a_room"]  # in a room on a floor of HQ, neither with an address
    html = Client().get(f"/p/{server.passport_token}/").content.decode()
    assert "1 Main Street" in html


def test_a_person_in_scope_sees_every_fact(world, boiler, client_for):
    html = client_for(world.users["cust_a"]).get(f"/p/{boiler.passport_token}/").content.decode()
    assert "SN-BOILER-1" in html  # not published, but theirs
