"""The main pages with a form, as an English-speaking person sees them (issue 22): with
Latin-only data, not one Cyrillic letter in the HTML — no text fixed in Russian when a module
was imported, no Russian left untranslated in a template.

Signed-in people read English because their profile says so (`User.language`, activated by
accounts.middleware.UserPreferencesMiddleware); visitors because of the language cookie
(Django's LocaleMiddleware). The data comes from the factories (Latin names) and the reference
lists seeded by the migrations, whose English names are shown in English.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from servicedesk.accounts.models import AccessRequest
from servicedesk.conversations.services import message_post
from servicedesk.customers.models import TicketType
from servicedesk.sla.models import ServiceCalendar, SlaRule
from servicedesk.tickets.services import ticket_update
from tests.conftest import World, login
from tests.factories import SlaRuleFactory, TicketFactory, office_calendar

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[А-Яа-яЁё]+(?:[^<>\n]*[А-Яа-яЁё])?")


# The language switch names each language in that language («Русский», marked lang="ru"), as a
# language switch should: a Russian reader must find it on an English page.
LANGUAGE_SWITCH = re.compile(r'<form[^>]*data-testid="language-switch".*?</form>', re.S)


def cyrillic_in(html: str) -> list[str]:
    html = LANGUAGE_SWITCH.sub("", html)
    return [
        repr(html[max(0, found.start() - 60) : found.end() + 60])
        for found in CYRILLIC.finditer(html)
    ]


@pytest.fixture
def english_world(world: World) -> World:
    """The scoping world, everybody reading English, with a ticket, a calendar, an SLA rule
    and an access request to show."""
    for user in world.users.values():
        user.language = "en"
        user.save(update_fields=["language"])
    ticket = TicketFactory(
        number="90000001",
        company=world.companies["A"],
        contact=world.users["cust_a"],
        site=world.sites["a_hq"],
        subject="Boiler leaks in the basement",
        description="Water on the floor since Monday.",
    )
    # A timeline written by somebody reading Russian: what it keeps must not stay Russian.
    with translation.override("ru"):
        ticket_update(
            by=world.users["admin"],
            ticket=ticket,
            changes={"ticket_type": TicketType.objects.get(code="repair"), "country": "DE"},
        )
        message_post(by=world.users["cust_a"], ticket=ticket, body="It is getting worse.")
    calendar = office_calendar(name="Office hours", holidays=[dt.date(2099, 1, 1)])
    SlaRuleFactory(name="Standard", calendar=calendar, companies=[world.companies["A"]])
    AccessRequest.objects.create(
        full_name="Jane Roe", email="jane@alphacorp.test", company_name=world.companies["A"].name
    )
    return world


def _calendar() -> int:
    return int(ServiceCalendar.objects.get(name="Office hours").pk)


def _rule() -> int:
    return int(SlaRule.objects.get(name="Standard").pk)


def _access_request() -> int:
    return int(AccessRequest.objects.get(full_name="Jane Roe").pk)


def _person(world: World) -> int:
    return int(world.users["cust_a"].pk)


TICKET = "90000001"
# Page → (who looks, its address).
PAGES: dict[str, tuple[str, Callable[[World], str]]] = {
    # The customer portal
    "portal ticket list": ("cust_a", lambda w: reverse("portal:tickets") + "?view=company"),
    "portal new ticket": ("cust_a", lambda w: reverse("portal:ticket_new")),
    "portal new ticket, two companies": ("cust_ab", lambda w: reverse("portal:ticket_new")),
    "portal ticket page": ("cust_a", lambda w: reverse("portal:ticket_detail", args=[TICKET])),
    "portal profile": ("cust_a", lambda w: reverse("accounts:profile")),
    "portal notification settings": (
        "cust_a",
        lambda w: reverse("accounts:notification_settings"),
    ),
    "portal colleague request": ("cust_ab", lambda w: reverse("portal:colleague_access")),
    # The back office
    "backoffice new ticket": ("admin", lambda w: reverse("backoffice:ticket_new")),
    "backoffice queue": ("admin", lambda w: reverse("backoffice:tickets") + "?view=all"),
    "backoffice ticket page": (
        "admin",
        lambda w: reverse("backoffice:ticket_detail", args=[TICKET]),
    ),
    "backoffice people": ("admin", lambda w: reverse("backoffice:people")),
    "backoffice employees": ("admin", lambda w: reverse("backoffice:people") + "?kind=employees"),
    "backoffice new person": ("admin", lambda w: reverse("backoffice:person_new")),
    "backoffice person": (
        "admin",
        lambda w: reverse("backoffice:person_detail", args=[_person(w)]),
    ),
    "backoffice person edit": (
        "admin",
        lambda w: reverse("backoffice:person_edit", args=[_person(w)]),
    ),
    "backoffice audit log": ("admin", lambda w: reverse("backoffice:audit_log")),
    "backoffice access request": (
        "admin",
        lambda w: reverse("backoffice:access_request_detail", args=[_access_request()]),
    ),
    "backoffice people import": ("admin", lambda w: reverse("backoffice:people_import")),
    "backoffice SLA calendars": ("admin", lambda w: reverse("backoffice:sla_calendars")),
    "backoffice new calendar": ("admin", lambda w: reverse("backoffice:sla_calendar_new")),
    "backoffice calendar": (
        "admin",
        lambda w: reverse("backoffice:sla_calendar_detail", args=[_calendar()]),
    ),
    "backoffice calendar edit": (
        "admin",
        lambda w: reverse("backoffice:sla_calendar_edit", args=[_calendar()]),
    ),
    "backoffice SLA rules": ("admin", lambda w: reverse("backoffice:sla_rules")),
    "backoffice new SLA rule": ("admin", lambda w: reverse("backoffice:sla_rule_new")),
    "backoffice SLA rule edit": (
        "admin",
        lambda w: reverse("backoffice:sla_rule_edit", args=[_rule()]),
    ),
    "backoffice outbound mail": ("admin", lambda w: reverse("backoffice:outbound_mail")),
    "backoffice reports": ("dispatcher", lambda w: reverse("backoffice:reports")),
    "backoffice our company": ("admin", lambda w: reverse("backoffice:act_settings")),
    "backoffice notification settings": (
        "dispatcher",
        lambda w: reverse("accounts:notification_settings"),
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_page_in_english_has_no_cyrillic(english_world: World, page: str) -> None:
    who, address = PAGES[page]
    url = address(english_world)
    client = login(Client(), english_world.user(who))
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert '<html lang="en"' in html
    found = cyrillic_in(html)
    assert found == [], f"{page} ({url}) in English shows Cyrillic:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "url_name", ["account_login", "access:access_request", "access:invitation_invalid"]
)
def test_page_for_visitors_in_english_has_no_cyrillic(db: None, url_name: str) -> None:
    """Somebody not signed in reads the language of their cookie (the language switch's)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert cyrillic_in(response.content.decode()) == []


@pytest.mark.parametrize(
    ("page", "russian"),
    [
        # The breadcrumbs' name for screen readers (it was English on every page).
        ("portal ticket page", 'aria-label="Навигационная цепочка"'),
        ("backoffice ticket page", 'aria-label="Навигационная цепочка"'),
        ("backoffice person", 'aria-label="Навигационная цепочка"'),
        ("backoffice calendar", 'aria-label="Навигационная цепочка"'),
        # The holiday import's example line (its name was English for everybody).
        ("backoffice calendar", 'placeholder="2027-01-01;Новый год"'),
    ],
    ids=[
        "portal ticket breadcrumb",
        "backoffice ticket breadcrumb",
        "person breadcrumb",
        "calendar breadcrumb",
        "holiday example",
    ],
)
def test_the_same_pages_in_russian_say_it_in_russian(
    english_world: World, page: str, russian: str
) -> None:
    who, address = PAGES[page]
    person = english_world.user(who)
    person.language = "ru"
    person.save(update_fields=["language"])
    html = login(Client(), person).get(address(english_world)).content.decode()
    assert russian in html
    assert 'aria-label="breadcrumb"' not in html
    assert "New Year" not in html
