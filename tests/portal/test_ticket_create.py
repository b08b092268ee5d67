"""«Создать заявку» in the portal: the form's lists are exactly what the customer may use, a
hand-made POST of someone else's ids is refused with nothing stored, files are checked, a good
ticket is saved with its files and announced by email, the htmx pickers and the product
type-ahead answer with fragments, and a ticket can be cloned (never someone else's)."""

import datetime as dt
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from servicedesk.customers.models import Contract, Criticality, Product, TicketType, WorkType
from servicedesk.tickets.models import Origin, Status, Ticket, TicketAttachment, TicketEvent
from servicedesk.tickets.services import TicketData, ticket_create
from tests.conftest import World, login
from tests.customers.test_querysets import EXPECTED
from tests.factories import ContractFactory, EquipmentFactory, SiteFactory

pytestmark = pytest.mark.django_db

NEW = "/portal/tickets/new/"
OPTIONS = "/portal/tickets/new/options/"
PRODUCTS = "/portal/tickets/products/"
EN = {"accept-language": "en"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


# --- helpers -------------------------------------------------------------------------------------


class _Selects(HTMLParser):
    """Every <select>'s options, and every group of radios (the place picker's rows, each
    radio inside its label): name → [(value, text, selected)]; and hidden inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.selects: dict[str, list[tuple[str, str, bool]]] = {}
        self.hidden: dict[str, str] = {}
        self._select: str | None = None
        self._option: list[Any] | None = None
        self._radio: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "select":
            self._select = a.get("name") or ""
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value") or "", "", "checked" in a or "selected" in a]
        elif tag == "input" and a.get("type") == "radio" and a.get("name"):
            self._radio = a["name"] or ""
            self._option = [a.get("value") or "", "", "checked" in a]
        elif tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.hidden[a["name"] or ""] = a.get("value") or ""

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[1] += data if self._radio is None else f" {data.strip()}"

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value, text, selected = self._option
            self.selects[self._select].append((value, text.strip(" \n"), selected))
            self._option = None
        elif tag == "label" and self._option is not None and self._radio is not None:
            value, text, checked = self._option
            row = (value, " ".join(text.split()), checked)
            self.selects.setdefault(self._radio, []).append(row)
            self._option = self._radio = None
        elif tag == "select":
            self._select = None


def parse(html: str) -> _Selects:
    parser = _Selects()
    parser.feed(html)
    return parser


def values(html: str, name: str) -> set[str]:
    return {value for value, _text, _sel in parse(html).selects.get(name, []) if value}


def selected(html: str, name: str) -> str | None:
    chosen = [v for v, _t, sel in parse(html).selects.get(name, []) if sel]
    return chosen[0] if chosen else None


def place_values(world: World, site_keys: set[str], equipment_keys: set[str]) -> set[str]:
    return {f"s{world.sites[k].pk}" for k in site_keys} | {
        f"e{world.equipment[k].pk}" for k in equipment_keys
    }


def good_post(world: World, **changes: Any) -> dict[str, Any]:
    data = {
        "ticket_type": TicketType.objects.filter(is_active=True).first().pk,
        "criticality": Criticality.objects.filter(is_active=True).first().pk,
        "subject": "Printer jams",
        "description": "It jams on every page.",
        "company": world.companies["A"].pk,
        "place": f"e{world.equipment['eq_a_floor'].pk}",
        "work_type": "",
        "contract": world.contracts["c_a_hq"].pk,
        "product": "",
        "country": "RU",
    }
    data.update(changes)
    return data


def nothing_stored() -> None:
    assert Ticket.objects.count() == 0
    assert TicketAttachment.objects.count() == 0
    assert TicketEvent.objects.count() == 0
    assert mail.outbox == []


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path / "media"


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# --- the form's lists ----------------------------------------------------------------------------

SCOPES = ["cust_a", "cust_ab", "cust_b", "cust_eq", "cust_site"]


@pytest.mark.parametrize("user_key", SCOPES)
def test_the_form_offers_exactly_the_companies_the_customer_belongs_to(world, user_key):
    client = login(Client(), world.users[user_key])

    response = client.get(NEW, headers=EN)

    assert response.status_code == 200
    html = response.content.decode()
    expected = {str(world.companies[k].pk) for k in EXPECTED[user_key]["companies"]}
    if len(expected) == 1:
        # One company: preselected, shown as text, sent as a hidden field
        assert parse(html).hidden["company"] == expected.pop()
        assert "company" not in parse(html).selects
    else:
        assert values(html, "company") == expected
        assert selected(html, "company") == ""  # "Choose a company…"


@pytest.mark.parametrize("user_key", SCOPES)
def test_sites_equipment_and_contracts_offered_are_exactly_the_visible_ones(world, user_key):
    client = login(Client(), world.users[user_key])
    expected = EXPECTED[user_key]

    for company_key in sorted(expected["companies"]):
        company = world.companies[company_key]
        response = client.get(NEW, {"company": company.pk}, headers=EN)
        # The htmx endpoint answers for the chosen company
        options = client.get(
            OPTIONS,
            {"company": company.pk, "part": "service"},
            headers={**EN, "HX-Request": "true"},
        )
        html = options.content.decode()

        of_company = {k for k in world.sites if world.sites[k].company_id == company.pk}
        eq_of_company = {k for k in world.equipment if world.equipment[k].company_id == company.pk}
        assert values(html, "place") == place_values(
            world, expected["sites"] & of_company, expected["equipment"] & eq_of_company
        )
        contracts = {
            str(world.contracts[k].pk)
            for k in expected["contracts"]
            if world.contracts[k].company_id == company.pk
        }
        assert values(html, "contract") == contracts
        assert response.status_code == 200


def test_an_equipment_scoped_customer_sees_only_that_equipment_and_its_contracts(world):
    client = login(Client(), world.users["cust_eq"])

    html = client.get(NEW, headers=EN).content.decode()

    # Single company A, preselected: the till, its shop, and the contracts covering it
    assert values(html, "place") == {
        f"s{world.sites['a_shop'].pk}",
        f"e{world.equipment['eq_a_shop'].pk}",
    }
    assert values(html, "contract") == {
        str(world.contracts["c_a_all"].pk),
        str(world.contracts["c_a_shop"].pk),
    }
    assert "beta-" not in html and "alpha-hq" not in html


def test_the_place_tree_indents_sites_by_depth_with_equipment_beneath(world):
    client = login(Client(), world.users["cust_a"])

    html = client.get(NEW, headers=EN).content.decode()

    # One radio row per place, "Not specified" first and chosen
    rows = re.findall(
        r'<label class="place-row" data-place-row data-kind="(\w*)" data-depth="(\d)"[^>]*>'
        r'<input type="radio" [^>]*value="(\w*)"',
        html,
    )
    assert rows[0] == ("", "0", "")
    assert selected(html, "place") == ""
    labels = [t for v, t, _s in parse(html).selects["place"] if v]
    # HQ, its boiler (full name, and its serial number beneath), the floor (one level in), its
    # printer, the room, its server…
    hq = labels.index("alpha-hq-site")
    serial = world.equipment["eq_a_hq"].serial_number
    assert labels[hq + 1] == f"alpha-hq-boiler S/N {serial}"
    assert labels[hq + 2] == "alpha-floor-site"
    assert labels[hq + 4] == "alpha-room-site"
    depths = {value: (kind, int(depth)) for kind, depth, value in rows}
    assert depths[f"s{world.sites['a_hq'].pk}"] == ("site", 0)
    assert depths[f"e{world.equipment['eq_a_hq'].pk}"] == ("equipment", 1)
    assert depths[f"s{world.sites['a_floor'].pk}"] == ("site", 1)
    assert depths[f"s{world.sites['a_room'].pk}"] == ("site", 2)
    assert depths[f"e{world.equipment['eq_a_room'].pk}"] == ("equipment", 3)
    # Equipment without a site comes last, at the top level
    assert labels[-1].startswith("alpha-loose-drill")
    assert rows[-1] == ("equipment", "0", f"e{world.equipment['eq_a_nosite'].pk}")
    # The group is named by the field's label, which also labels the search
    assert 'role="radiogroup" aria-labelledby="id_place_label"' in html
    assert '<label class="form-label" id="id_place_label" for="id_place_q">' in html


def test_defaults_type_first_active_criticality_the_default_country_the_company(world):
    first_type = TicketType.objects.filter(is_active=True).first()
    TicketType.objects.filter(pk=first_type.pk).update(is_active=False)
    Criticality.objects.update(is_default=False)
    default = Criticality.objects.filter(is_active=True).last()
    default.is_default = True
    default.save()
    world.companies["A"].country = "KZ"
    world.companies["A"].save()
    client = login(Client(), world.users["cust_a"])

    html = client.get(NEW, headers=EN).content.decode()

    assert selected(html, "ticket_type") == str(
        TicketType.objects.filter(is_active=True).first().pk
    )
    assert str(first_type.pk) not in values(html, "ticket_type")
    assert selected(html, "criticality") == str(default.pk)
    assert selected(html, "country") == "KZ"
    assert "status" not in parse(html).selects


def test_an_expired_contract_is_listed_with_a_warning(world):
    ContractFactory(
        company=world.companies["A"],
        name="alpha-old-contract",
        number="OLD-1",
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2021, 1, 1),
    )
    client = login(Client(), world.users["cust_a"])

    html = client.get(NEW, headers=EN).content.decode()

    labels = [t for _v, t, _s in parse(html).selects["contract"]]
    assert "OLD-1 — alpha-old-contract (expired)" in labels
    assert 'data-expired="1"' in html
    assert "This contract has expired" in html


def test_the_form_page_runs_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    # session, user, companies, type/criticality defaults, the reference lists, sites,
    # equipment, contracts: a constant, whatever the data size
    client = login(Client(), world.users["cust_a"])
    bound = 15
    with django_assert_max_num_queries(bound):
        first = client.get(NEW)
    assert len(values(first.content.decode(), "place")) == 9
    # Three times the sites, equipment and contracts of the company: the same bound
    company = world.companies["A"]
    for n in range(2):
        for site in list(world.sites.values()):
            if site.company_id == company.pk and site.parent_id is None:
                extra = SiteFactory(company=company, name=f"extra-{n}-{site.name}")
                EquipmentFactory(site=extra, name=f"extra-eq-{n}-{site.name}")
                ContractFactory(company=company, sites=[extra])
    with django_assert_max_num_queries(bound):
        again = client.get(NEW)
    assert len(values(again.content.decode(), "place")) == 9 + 8


# --- htmx pickers and product search -------------------------------------------------------------


def test_options_after_choosing_equipment_list_only_contracts_covering_it(world):
    client = login(Client(), world.users["cust_a"])
    till = world.equipment["eq_a_shop"]

    response = client.get(
        OPTIONS,
        {"company": world.companies["A"].pk, "place": f"e{till.pk}", "part": "contract"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="ticket-contract">')
    assert "<html" not in html and "ticket-service-options" not in html
    assert values(html, "contract") == {
        str(world.contracts["c_a_all"].pk),
        str(world.contracts["c_a_shop"].pk),
    }


def test_options_keep_the_chosen_place_and_contract_when_still_valid(world):
    client = login(Client(), world.users["cust_a"])
    room = world.equipment["eq_a_room"]
    hq_contract = world.contracts["c_a_hq"]

    response = client.get(
        OPTIONS,
        {
            "company": world.companies["A"].pk,
            "place": f"e{room.pk}",
            "contract": hq_contract.pk,
            "part": "service",
        },
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="ticket-service-options"')
    assert selected(html, "place") == f"e{room.pk}"
    assert selected(html, "contract") == str(hq_contract.pk)


def test_options_for_another_companys_company_are_empty(world):
    client = login(Client(), world.users["cust_a"])

    response = client.get(
        OPTIONS,
        {"company": world.companies["B"].pk, "part": "service"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert values(html, "place") == set()
    assert values(html, "contract") == set()
    assert "beta-" not in html


def test_product_search_needs_three_characters_and_lists_only_active_products(world):
    Product.objects.create(code="p-laser", name_ru="Лазерный принтер", name_en="Laser printer")
    Product.objects.create(code="p-laser-old", name_ru="Лазер старый", is_active=False)
    Product.objects.create(code="p-other", name_ru="Сканер", name_en="Scanner")
    client = login(Client(), world.users["cust_a"])

    short = client.get(PRODUCTS, {"q": "ла"}, headers={**EN, "HX-Request": "true"})
    found = client.get(PRODUCTS, {"q": "ЛАЗ"}, headers={**EN, "HX-Request": "true"})

    assert short.status_code == 200
    assert "data-product-id" not in short.content.decode()
    assert "at least 3" in short.content.decode()
    html = found.content.decode()
    assert re.findall(r'data-product-name="([^"]+)"', html) == ["Laser printer"]
    assert "<html" not in html


def test_product_search_suggests_a_few_and_enter_shows_all(world):
    for n in range(15):
        Product.objects.create(code=f"pump-{n}", name_ru=f"Насос {n:02d}", name_en=f"Pump {n:02d}")
    client = login(Client(), world.users["cust_a"])

    few = client.get(PRODUCTS, {"q": "pump"}, headers={"HX-Request": "true"}).content.decode()
    every = client.get(PRODUCTS, {"q": "pump", "all": "1"}, headers={"HX-Request": "true"})

    assert few.count("data-product-id") == 10
    assert 'data-testid="product-more"' in few
    assert every.content.decode().count("data-product-id") == 15


@pytest.mark.parametrize("url", [NEW, OPTIONS, PRODUCTS])
def test_the_pages_are_for_customers_only(world, url):
    anonymous = Client().get(url)
    staff = login(Client(), world.users["dispatcher"]).get(url)

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert staff.status_code == 302 and staff["Location"] == "/backoffice/"


# --- saving --------------------------------------------------------------------------------------


def test_a_good_ticket_with_two_files_is_saved_and_announced(
    world, media, django_capture_on_commit_callbacks
):
    customer = world.users["cust_a"]
    customer.language = "en"
    customer.save()
    product = Product.objects.create(code="printer", name_ru="Принтер", name_en="Printer")
    work_type = WorkType.objects.filter(is_active=True).first()
    client = login(Client(), customer)
    files = [
        SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
        SimpleUploadedFile("manual.pdf", PDF, content_type="application/pdf"),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW,
            {
                **good_post(world, work_type=work_type.pk, product=product.pk, country="KZ"),
                "attachments": files,
            },
        )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{ticket.number}/created/"
    assert re.fullmatch(r"\d{8}", ticket.number)
    assert (ticket.subject, ticket.description) == ("Printer jams", "It jams on every page.")
    assert ticket.company == world.companies["A"]
    assert ticket.equipment == world.equipment["eq_a_floor"]
    assert ticket.site == world.sites["a_floor"]  # the equipment's site
    assert ticket.contract == world.contracts["c_a_hq"]
    assert (ticket.work_type, ticket.product, ticket.country) == (work_type, product, "KZ")
    assert (ticket.contact, ticket.created_by) == (customer, customer)
    assert (ticket.origin, ticket.status) == (Origin.PORTAL, Status.NEW)
    assert sorted(ticket.attachments.values_list("name", "size")) == [
        ("manual.pdf", len(PDF)),
        ("photo.png", len(PNG)),
    ]
    assert len(stored_files(media)) == 2
    assert list(ticket.events.values_list("kind", flat=True)) == [
        TicketEvent.Kind.CREATED,
        TicketEvent.Kind.ATTACHMENT_ADDED,
        TicketEvent.Kind.ATTACHMENT_ADDED,
    ]
    # The receipt: to the contact, in their language, with the number in the subject; the
    # provider's dispatchers (the dispatcher and the administrator) hear of a new ticket.
    receipts = [m for m in mail.outbox if m.to == [customer.email]]
    assert len(receipts) == 1
    assert receipts[0].subject == f"[#{ticket.number}] Your ticket is registered: Printer jams"
    staff = {world.users["dispatcher"].email, world.users["admin"].email}
    assert sorted(m.to[0] for m in mail.outbox if m.to != [customer.email]) == sorted(staff)


def test_the_confirmation_page_shows_the_number_and_links(world):
    customer = world.users["cust_a"]
    ticket = ticket_create(
        by=customer,
        data=TicketData(
            subject="Leak",
            ticket_type=TicketType.objects.first(),
            criticality=Criticality.objects.first(),
            company=world.companies["A"],
        ),
        origin=Origin.PORTAL,
    )
    client = login(Client(), customer)

    response = client.get(f"/portal/tickets/{ticket.number}/created/", headers=EN)
    foreign = login(Client(), world.users["cust_b"]).get(
        f"/portal/tickets/{ticket.number}/created/"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Your ticket has been created" in html
    assert f'data-testid="ticket-number">{ticket.number}<' in html
    assert f'href="/portal/tickets/{ticket.number}/"' in html
    assert 'href="/portal/tickets/new/"' in html
    assert foreign.status_code == 404
    assert f"We have sent the number and the details to {customer.email}" in html
    # A colleague who follows the link is not told where the filer's email went
    colleague = login(Client(), world.users["cust_ab"]).get(
        f"/portal/tickets/{ticket.number}/created/", headers=EN
    )
    assert colleague.status_code == 200
    assert customer.email not in colleague.content.decode()


def test_a_posted_status_is_ignored(world):
    client = login(Client(), world.users["cust_a"])

    client.post(NEW, good_post(world, status=Status.CLOSED, origin=Origin.PHONE))

    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.origin) == (Status.NEW, Origin.PORTAL)


@pytest.mark.parametrize(
    ("field", "value_of"),
    [
        ("company", lambda w: w.companies["B"].pk),
        ("place", lambda w: f"s{w.sites['b_wh'].pk}"),
        ("place", lambda w: f"e{w.equipment['eq_b'].pk}"),
        ("contract", lambda w: w.contracts["c_b"].pk),
    ],
)
def test_another_companys_ids_posted_by_hand_are_refused_and_nothing_stored(
    world, media, django_capture_on_commit_callbacks, field, value_of
):
    client = login(Client(), world.users["cust_a"])
    file = SimpleUploadedFile("photo.png", PNG, content_type="image/png")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW, {**good_post(world, **{field: value_of(world)}), "attachments": [file]}, headers=EN
        )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    nothing_stored()
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("user_key", "place_key"),
    [("cust_eq", "eq_a_floor"), ("cust_site", "eq_a_shop"), ("cust_site", "a_shop")],
)
def test_a_scoped_customer_cannot_post_what_is_outside_their_scope(world, user_key, place_key):
    client = login(Client(), world.users[user_key])
    place = (
        f"e{world.equipment[place_key].pk}"
        if place_key in world.equipment
        else f"s{world.sites[place_key].pk}"
    )

    response = client.post(NEW, good_post(world, place=place, contract=""), headers=EN)

    assert response.status_code == 200
    assert "place" in response.context["form"].errors
    nothing_stored()


def test_a_contract_that_does_not_cover_the_equipment_is_refused(world):
    client = login(Client(), world.users["cust_a"])

    # The till contract covers only the shop's till, not the floor's printer
    response = client.post(
        NEW, good_post(world, contract=world.contracts["c_a_shop"].pk), headers=EN
    )

    assert response.status_code == 200
    assert "contract" in response.context["form"].errors
    nothing_stored()


def test_the_service_refusal_is_shown_on_the_field(world, monkeypatch):
    # The form's lists and the service agree; should they ever not, the service's error lands on
    # the field it names.
    from servicedesk.core.errors import ApplicationError
    from servicedesk.portal.tickets import create

    def refuse(**kwargs: Any) -> None:
        raise ApplicationError("Not this equipment.", code="equipment", field="equipment")

    monkeypatch.setattr(create, "ticket_create", refuse)
    client = login(Client(), world.users["cust_a"])

    response = client.post(NEW, good_post(world), headers=EN)

    assert response.context["form"].errors["place"] == ["Not this equipment."]


def test_a_description_over_the_limit_is_refused_and_kept(world):
    client = login(Client(), world.users["cust_a"])
    text = "x" * 8193

    response = client.post(NEW, good_post(world, description=text), headers=EN)

    assert response.status_code == 200
    assert "description" in response.context["form"].errors
    assert text in response.content.decode()
    assert 'value="Printer jams"' in response.content.decode()
    assert 'data-testid="files-again"' in response.content.decode()
    nothing_stored()


def test_a_description_of_exactly_the_limit_with_crlf_line_ends_is_accepted(world):
    client = login(Client(), world.users["cust_a"])
    text = ("a" * 99 + "\r\n") * 81 + "b" * (8192 - 100 * 81)  # 8,192 with LF line ends

    response = client.post(NEW, good_post(world, description=text))

    assert response.status_code == 302
    assert len(Ticket.objects.get().description) == 8192


def test_html_in_subject_and_description_is_stored_as_text_and_shown_escaped(world):
    client = login(Client(), world.users["cust_a"])
    evil = '<script>alert("x")</script><b>bold</b>'

    client.post(NEW, good_post(world, subject=evil, description=evil))
    ticket = Ticket.objects.get()
    created = client.get(f"/portal/tickets/{ticket.number}/created/").content.decode()
    # And the form re-rendered after an error keeps it, escaped
    again = client.post(NEW, good_post(world, subject=evil, description=evil, company=""))

    assert (ticket.subject, ticket.description) == (evil, evil)
    assert "<script>" not in created and "&lt;script&gt;" in created
    assert "<script>alert" not in again.content.decode()
    assert "&lt;script&gt;alert" in again.content.decode()


def test_a_missing_subject_keeps_everything_else(world):
    client = login(Client(), world.users["cust_a"])

    response = client.post(NEW, good_post(world, subject="", description="Kept text"), headers=EN)

    html = response.content.decode()
    assert "subject" in response.context["form"].errors
    assert "Kept text" in html
    assert selected(html, "place") == f"e{world.equipment['eq_a_floor'].pk}"
    assert selected(html, "contract") == str(world.contracts["c_a_hq"].pk)
    nothing_stored()


def test_an_htmx_post_with_errors_returns_only_the_form(world):
    client = login(Client(), world.users["cust_a"])

    response = client.post(NEW, good_post(world, subject=""), headers={"HX-Request": "true"})
    good = client.post(NEW, good_post(world), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith("<form")
    assert "<html" not in html
    assert good.status_code == 200
    assert good["HX-Redirect"] == f"/portal/tickets/{Ticket.objects.get().number}/created/"


BAD_FILES = [
    ("big.png", PNG + b"\x00" * 2048, "is larger than"),
    ("tool.exe", b"MZ\x90\x00" + b"\x00" * 64, "are not accepted"),
    ("report.pdf", PNG, "the content is not a .pdf file"),
    ("empty.txt", b"", "is empty"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_bad_files_are_refused_with_a_clear_error_and_nothing_stored(
    world, media, settings, django_capture_on_commit_callbacks, name, content, message
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    client = login(Client(), world.users["cust_a"])
    good = SimpleUploadedFile("ok.png", PNG, content_type="image/png")
    bad = SimpleUploadedFile(name, content, content_type="application/octet-stream")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, {**good_post(world), "attachments": [good, bad]}, headers=EN)

    errors = response.context["form"].errors["attachments"]
    assert len(errors) == 1 and message in errors[0]
    assert 'value="Printer jams"' in response.content.decode()
    nothing_stored()
    assert stored_files(media) == []


def test_too_many_files_are_refused(world, media, settings):
    settings.ATTACHMENTS_PER_UPLOAD = 2
    client = login(Client(), world.users["cust_a"])
    files = [SimpleUploadedFile(f"p{n}.png", PNG, content_type="image/png") for n in range(3)]

    response = client.post(NEW, {**good_post(world), "attachments": files}, headers=EN)

    assert response.context["form"].errors["attachments"] == ["At most 2 files at a time."]
    nothing_stored()


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("../../etc/passwd.txt", "passwd.txt"), ("C:\\Users\\me\\notes.txt", "notes.txt"),
     ("bad\x00\x07name.txt", "badname.txt")],
)  # fmt: skip
def test_file_names_with_paths_or_control_characters_are_stored_clean(world, media, raw, clean):
    client = login(Client(), world.users["cust_a"])
    upload = SimpleUploadedFile("x.txt", b"plain text\n", content_type="text/plain")
    upload.name = raw  # as a hand-made request could send it, before Django's own cleaning

    client.post(NEW, {**good_post(world), "attachments": [upload]})

    attachment = TicketAttachment.objects.get()
    assert attachment.name == clean
    stored = stored_files(media)
    assert len(stored) == 1
    assert media in stored[0].parents and ".." not in stored[0].parts


def test_the_limits_are_rendered_for_the_browsers_own_checks(world, settings):
    settings.ATTACHMENT_MAX_BYTES = 12345
    settings.ATTACHMENTS_PER_UPLOAD = 4
    settings.ATTACHMENT_EXTENSIONS = ["png", "PDF"]
    client = login(Client(), world.users["cust_a"])

    html = client.get(NEW).content.decode()

    assert 'data-max-bytes="12345"' in html
    assert 'data-max-files="4"' in html
    assert 'data-extensions="png,pdf"' in html
    assert 'accept=".png,.pdf"' in html
    assert 'maxlength="8192"' in html


# --- clone ---------------------------------------------------------------------------------------


def test_clone_prefills_everything_but_files_and_history(world):
    customer = world.users["cust_a"]
    product = Product.objects.create(code="pump", name_ru="Насос", name_en="Pump")
    work_type = WorkType.objects.filter(is_active=True).last()
    ticket_type = TicketType.objects.filter(is_active=True).last()
    criticality = Criticality.objects.filter(is_active=True).last()
    source = ticket_create(
        by=customer,
        data=TicketData(
            subject="Boiler is cold",
            description="Since Monday.\nNo hot water.",
            ticket_type=ticket_type,
            criticality=criticality,
            company=world.companies["A"],
            equipment=world.equipment["eq_a_hq"],
            work_type=work_type,
            contract=world.contracts["c_a_hq"],
            product=product,
            country="BY",
        ),
        origin=Origin.PORTAL,
        files=[SimpleUploadedFile("a.txt", b"hello\n")],
    )
    client = login(Client(), customer)

    response = client.get(NEW, {"clone": source.number}, headers=EN)

    html = response.content.decode()
    assert response.status_code == 200
    assert selected(html, "ticket_type") == str(ticket_type.pk)
    assert selected(html, "criticality") == str(criticality.pk)
    assert 'value="Boiler is cold"' in html
    assert ">\nSince Monday.\nNo hot water.</textarea>" in html  # (the first LF is markup)
    assert parse(html).hidden["company"] == str(world.companies["A"].pk)
    assert selected(html, "place") == f"e{world.equipment['eq_a_hq'].pk}"
    assert selected(html, "work_type") == str(work_type.pk)
    assert selected(html, "contract") == str(world.contracts["c_a_hq"].pk)
    assert parse(html).hidden["product"] == str(product.pk)
    assert 'value="Pump"' in html
    assert selected(html, "country") == "BY"
    assert source.number in html  # "A copy of ticket …"
    assert "a.txt" not in html


@pytest.mark.parametrize("number", ["foreign", "99999999"])
def test_clone_of_a_ticket_the_customer_may_not_see_is_404(world, number):
    foreign = ticket_create(
        by=world.users["cust_b"],
        data=TicketData(
            subject="Beta secret",
            ticket_type=TicketType.objects.first(),
            criticality=Criticality.objects.first(),
            company=world.companies["B"],
        ),
        origin=Origin.PORTAL,
    )
    client = login(Client(), world.users["cust_a"])

    response = client.get(NEW, {"clone": foreign.number if number == "foreign" else number})

    assert response.status_code == 404
    assert "Beta secret" not in response.content.decode()


# --- what one creation costs ---------------------------------------------------------------------


def _statements(queries: list[dict[str, Any]]) -> Counter[str]:
    """SELECT / INSERT / UPDATE / DELETE / WITH statements by kind (BEGIN, COMMIT and savepoints,
    which differ between the test's transaction and a request's, left out)."""
    kinds = (q["sql"].split()[0].upper() for q in queries)
    return Counter(k for k in kinds if k in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"})


@pytest.mark.parametrize(
    ("changes", "selects"),
    [
        # session, user and the memberships (never cached: docs/decisions/0012); the places
        # the service checks the choice against (tickets/selectors.py: ticket_places) and the
        # SLA rules come from the cache
        pytest.param({"contract": ""}, 3, id="no contract"),
        # + the contract the form accepts, and the service's check that the contact may use it
        # and that it covers the place (one query)
        pytest.param({}, 5, id="with a contract"),
    ],
)
def test_a_creation_runs_a_fixed_set_of_statements(world, changes, selects):
    # Given a customer who has opened the form (the lists are in the cache)
    client = login(Client(), world.users["cust_a"])
    data = good_post(world, **changes)
    assert client.post(NEW, data).status_code == 302
    # When they file a ticket
    with CaptureQueriesContext(connection) as queries:
        response = client.post(NEW, data)
    # Then: the reads above, one UPDATE for the number, and an INSERT each for the ticket, its
    # CREATED event and its follower (no conversation row until the first message)
    assert response.status_code == 302
    sql = [q["sql"] for q in queries.captured_queries]
    assert _statements(queries.captured_queries) == {"SELECT": selects, "UPDATE": 1, "INSERT": 3}
    assert sum("tickets_ticketsequence" in s for s in sql) == 1
    if changes.get("contract") == "":
        # no contract chosen: the form never builds the contract list
        assert not any("customers_contract" in s for s in sql)


def test_a_creation_moves_each_count_version_once(world, monkeypatch):
    # Given a customer about to file a ticket
    from servicedesk.core import stamps
    from servicedesk.tickets import counts

    client = login(Client(), world.users["cust_a"])
    data = good_post(world, contract="")
    assert client.post(NEW, data).status_code == 302
    moved: list[list[str]] = []
    bump = stamps.bump
    monkeypatch.setattr(stamps, "bump", lambda keys: moved.append(list(keys)) or bump(keys))
    # When they file it
    client.post(NEW, data)
    # Then the company's counts and the workloads each move once, in one move (the ticket's
    # save)
    flat = [key for keys in moved for key in keys]
    assert sorted(flat) == sorted(set(flat))
    assert counts.company_key(world.companies["A"].pk, counts.TICKETS) in flat
    assert counts.all_key(counts.WORKLOAD) in flat
    assert len(moved) == 1


def test_the_form_posted_without_a_contract_still_lists_the_covering_ones_when_shown_again(world):
    # Given a customer who chose no contract and forgot the subject
    client = login(Client(), world.users["cust_a"])

    response = client.post(NEW, good_post(world, subject="", contract=""), headers=EN)

    # Then the form comes back with the contracts covering the chosen equipment, none chosen
    html = response.content.decode()
    assert "subject" in response.context["form"].errors
    covering = Contract.objects.filter(company=world.companies["A"]).covering(
        site=world.sites["a_floor"], equipment=world.equipment["eq_a_floor"]
    )
    assert str(world.contracts["c_a_hq"].pk) in values(html, "contract")
    assert values(html, "contract") == {str(pk) for pk in covering.values_list("pk", flat=True)}
    assert selected(html, "contract") == ""  # the empty choice, "—"
    nothing_stored()


def test_the_form_opened_again_lists_the_companies_without_a_query(world):
    # Given a customer of two companies who has opened the form once (the lists are cached)
    client = login(Client(), world.users["cust_ab"])
    client.get(NEW)
    # When they open it again
    with CaptureQueriesContext(connection) as queries:
        html = client.get(NEW).content.decode()
    # Then both companies are offered, from the cached list: no query reads the companies
    assert {label for _value, label, _selected in parse(html).selects["company"]} >= {
        world.companies["A"].name,
        world.companies["B"].name,
    }
    assert not any('FROM "customers_company"' in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "error messages. Up to 8\u00a0192 characters."),
        ("ru", "тексты ошибок. До 8\u00a0192 символов."),
    ],
)
def test_the_description_help_is_in_the_readers_language(world, language, expected):
    # Given a customer, whichever language the form was first built in
    client = login(Client(), world.users["cust_a"])
    other = "ru" if language == "en" else "en"
    client.get(NEW, headers={"accept-language": other})

    # When they open the form in their language
    response = client.get(NEW, headers={"accept-language": language})

    # Then the description's help, with its limit, is in that language
    help_text = str(response.context["form"].fields["description"].help_text)
    assert help_text.endswith(expected)
