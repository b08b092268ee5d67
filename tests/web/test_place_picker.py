"""The ticket form's place picker (servicedesk/web/ticket_form/places.py): the tree of rows made
from sites and equipment, the radio rows it renders (full names, details beneath, depth, the
chosen one checked, the group named and marked invalid), and the field that accepts only an
offered place and builds its rows only when they are shown."""

import re
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from servicedesk.customers.models import Equipment, Site
from servicedesk.web.ticket_form import TicketForm
from servicedesk.web.ticket_form.places import (
    PlaceChoiceField,
    PlaceOption,
    PlacePicker,
    place_options,
)
from tests.conftest import World

ROW = re.compile(
    r'<label class="place-row" data-place-row data-kind="(?P<kind>\w*)" '
    r'data-depth="(?P<depth>\d+)" data-path="(?P<path>[\d/]*)">'
    r'<input type="radio" class="form-check-input" name="(?P<name>\w+)" value="(?P<value>\w*)" '
    r'id="(?P<id>\w+)"(?P<checked> checked)?>'
    r'<span class="place-text"><span class="place-name">(?:<i [^>]*></i>)?(?P<label>.*?)</span>'
    r'(?:<span class="place-detail">(?P<detail>.*?)</span></span>)?</span></label>'
)


def group(html: str) -> dict[str, str]:
    """The attributes of the radio group, the element the widget's HTML starts with."""
    start = re.match(r"<div ([^>]*)>", html)
    assert start is not None, html[:80]
    return dict(re.findall(r'([\w-]+)="([^"]*)"', start.group(1)))


def rows(html: str) -> list[dict[str, Any]]:
    found = [m.groupdict() for m in ROW.finditer(html)]
    for row in found:
        row["detail"] = re.sub(r"<[^>]+>", "", row["detail"] or "")
    return found


# Company 1: the office (1/) with a floor (1/2/) at the same address, and a shop (3/); a chiller
# on the floor, a till in the shop, a drill without a site, a pump on a site not listed.
OFFICE = Site(pk=1, name="Head office", address="Moscow,\n  Tverskaya 10", path="1/")
FLOOR = Site(pk=2, parent_id=1, name="3rd floor, server room", address="Moscow, Tverskaya 10")
FLOOR.path = "1/2/"
SHOP = Site(pk=3, name="Shop on the Arbat", address="", path="3/")
CHILLER = Equipment(
    pk=11,
    site_id=2,
    name="Server room air conditioner",
    model="Daikin FTXM50",
    serial_number="DK-2024-117",
)
TILL = Equipment(pk=12, site_id=3, name="Till 1", model="", serial_number="ATL-55-001")
DRILL = Equipment(pk=13, site_id=None, name="Drill", model="Bosch GSB", serial_number="")
PUMP = Equipment(pk=14, site_id=99, name="Pump", model="", serial_number="")


def test_the_tree_lists_each_site_with_its_equipment_beneath_and_the_rest_last() -> None:
    with translation.override("en"):
        choices = place_options([OFFICE, FLOOR, SHOP], [DRILL, CHILLER, PUMP, TILL])

    assert choices == [
        ("", PlaceOption(name="Not specified")),
        ("s1", PlaceOption("Head office", ("Moscow, Tverskaya 10",), "site", 0, "1/")),
        # the floor's address is its building's: not repeated
        ("s2", PlaceOption("3rd floor, server room", (), "site", 1, "1/2/")),
        (
            "e11",
            PlaceOption(
                "Server room air conditioner",
                ("Daikin FTXM50", "S/N DK-2024-117"),
                "equipment",
                2,
                "1/2/",
            ),
        ),
        ("s3", PlaceOption("Shop on the Arbat", (), "site", 0, "3/")),
        ("e12", PlaceOption("Till 1", ("S/N ATL-55-001",), "equipment", 1, "3/")),
        ("e13", PlaceOption("Drill", ("Bosch GSB",), "equipment", 0, "")),
        ("e14", PlaceOption("Pump", (), "equipment", 0, "")),
    ]
    assert str(choices[3][1]) == "Server room air conditioner (Daikin FTXM50 · S/N DK-2024-117)"


def test_the_serial_number_is_named_in_the_readers_language() -> None:
    with translation.override("ru"):
        option = place_options([SHOP], [TILL])[2][1]

    assert option.details == ("S/N ATL-55-001",)  # as the printed ticket says it (msgid "S/N")
    with translation.override("ru"):
        assert place_options([], [])[0][1].name == "Не указано"


def render(value: Any, choices: list[tuple[str, Any]], **attrs: Any) -> str:
    widget = PlacePicker(attrs={"class": "place-list"})
    widget.choices = choices
    return str(widget.render("place", value, attrs={"id": "id_place", **attrs}))


def test_each_place_is_a_radio_row_with_its_full_name_and_details_beneath() -> None:
    with translation.override("en"):
        html = render("e11", place_options([OFFICE, FLOOR, SHOP], [CHILLER, TILL, DRILL]))

    assert group(html) == {
        "id": "id_place",
        "role": "radiogroup",
        "aria-labelledby": "id_place_label",
        "class": "place-list",
    }
    found = rows(html)
    assert [(r["value"], r["label"], r["detail"]) for r in found] == [
        ("", "Not specified", ""),
        ("s1", "Head office", "Moscow, Tverskaya 10"),
        ("s2", "3rd floor, server room", ""),
        ("e11", "Server room air conditioner", "Daikin FTXM50 · S/N DK-2024-117"),
        ("s3", "Shop on the Arbat", ""),
        ("e12", "Till 1", "S/N ATL-55-001"),
        ("e13", "Drill", "Bosch GSB"),
    ]
    assert [(r["kind"], r["depth"], r["path"]) for r in found][2:4] == [
        ("site", "1", "1/2/"),
        ("equipment", "2", "1/2/"),
    ]
    # every radio posts "place", has its own id, and only the chosen one is checked
    assert {r["name"] for r in found} == {"place"}
    assert [r["id"] for r in found] == [f"id_place_{n}" for n in range(7)]
    assert [r["value"] for r in found if r["checked"]] == ["e11"]
    # the name is never cut: no select, no option, no truncation class
    assert "<select" not in html and "<option" not in html and "text-truncate" not in html
    assert html.count('class="bi bi-building') == 3 and html.count('class="bi bi-hdd') == 3


@pytest.mark.parametrize(("value", "checked"), [(None, ""), ("", ""), (["s3"], "s3"), ("x9", None)])
def test_the_value_shown_is_checked_and_nothing_else(value: Any, checked: str | None) -> None:
    html = render(value, place_options([SHOP], []))

    assert [r["value"] for r in rows(html) if r["checked"]] == (
        [] if checked is None else [checked]
    )


def test_names_and_details_are_escaped_and_a_plain_label_is_a_name() -> None:
    evil = Site(pk=5, name='<img src=x onerror="alert(1)">', address="<b>bold</b>", path="5/")

    html = render("", [("", "— none —"), ("s5", place_options([evil], [])[1][1])])

    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert rows(html)[0]["label"] == "— none —"


def chain(length: int) -> list[Site]:
    """Sites inside one another: 1/, 1/2/, 1/2/3/…"""
    return [
        Site(
            pk=n,
            parent_id=n - 1 if n > 1 else None,
            name=f"Level {n}",
            path="".join(f"{k}/" for k in range(1, n + 1)),
        )
        for n in range(1, length + 1)
    ]


def test_deep_sites_stop_indenting_at_the_limit() -> None:
    sites = chain(9)

    found = rows(render("", place_options(sites, [])))[1:]

    assert [r["depth"] for r in found] == ["0", "1", "2", "3", "4", "5", "6", "6", "6"]
    assert [r["path"] for r in found] == [site.path for site in sites]


def test_sites_side_by_side_are_in_name_order_with_numbers_by_value() -> None:
    office = Site(pk=20, name="Office", path="20/")
    shops = [Site(pk=pk, name=f"Shop №{pk - 20}", path=f"{pk}/") for pk in (21, 30, 22)]
    # «ё» sorts as «е» (after «д», before «ж»), whatever the case
    inner = [
        Site(pk=pk, parent_id=20, name=name, path=f"20/{pk}/")
        for pk, name in ((23, "Жёлтый склад"), (24, "ёлочный двор"), (25, "Двор"))
    ]
    tills = [Equipment(pk=pk, site_id=21, name=f"till {pk - 40}") for pk in (52, 41, 50)]

    choices = place_options([office, *shops, *inner], tills)

    assert [label.name for _value, label in choices[1:]] == [
        "Office",
        "Двор",
        "ёлочный двор",
        "Жёлтый склад",
        "Shop №1",
        "till 1",
        "till 10",
        "till 12",
        "Shop №2",
        "Shop №10",
    ]


def test_depth_counts_the_sites_the_person_sees() -> None:
    # A person who sees the floor and the room, not the building they are in
    _building, floor, room = chain(3)
    item = Equipment(pk=7, site_id=room.pk, name="Server")

    choices = place_options([floor, room], [item])

    assert [(label.name, label.depth, label.path) for _v, label in choices[1:]] == [
        ("Level 2", 0, "1/2/"),
        ("Level 3", 1, "1/2/3/"),
        ("Server", 2, "1/2/3/"),
    ]


def test_an_invalid_choice_marks_the_group_and_points_to_its_errors() -> None:
    html = render("", [], **{"aria-invalid": "true"})

    assert group(html) == {
        "id": "id_place",
        "role": "radiogroup",
        "class": "place-list is-invalid",
        "aria-invalid": "true",
        "aria-labelledby": "id_place_label",
        "aria-describedby": "id_place_error",
    }
    assert html.endswith("></div>")


def test_the_field_accepts_only_offered_places_and_builds_its_rows_once_when_shown() -> None:
    field = PlaceChoiceField(required=False, widget=PlacePicker)
    make = mock.Mock(return_value=place_options([SHOP], [TILL]))

    field.offer(["s3", "e12"], make)

    assert field.clean("e12") == "e12" and field.clean("") == ""
    with pytest.raises(ValidationError) as refused:
        field.clean("e11")
    assert refused.value.code == "invalid_choice"
    make.assert_not_called()  # accepting a choice never builds the tree
    field.widget.render("place", "e12")
    field.widget.render("place", "e12")
    make.assert_called_once()


# --- through the form ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_shows_the_posted_place_again_with_its_error(world: World) -> None:
    customer, company = world.users["cust_eq"], world.companies["A"]
    till = world.equipment["eq_a_shop"]
    form = TicketForm(
        {"company": company.pk, "place": f"e{world.equipment['eq_a_hq'].pk}"}, scope_user=customer
    )

    with translation.override("en"):
        assert not form.is_valid()
        html = str(form["place"])

    assert form.errors["place"]
    assert group(html) == {
        "id": "id_place",
        "role": "radiogroup",
        "class": "place-list is-invalid",
        "data-testid": "place",
        "aria-invalid": "true",
        "aria-labelledby": "id_place_label",
        "aria-describedby": "id_place_error",
    }
    # only the person's places are offered, and nothing is checked (the posted one is not offered)
    assert [r["value"] for r in rows(html)] == ["", f"s{till.site_id}", f"e{till.pk}"]
    assert [r["value"] for r in rows(html) if r["checked"]] == []
    # a place they may choose is shown again as chosen
    again = TicketForm({"company": company.pk, "place": f"e{till.pk}"}, scope_user=customer)
    assert [r["value"] for r in rows(str(again["place"])) if r["checked"]] == [f"e{till.pk}"]


@pytest.mark.django_db
def test_without_a_company_only_not_specified_is_offered(world: World) -> None:
    form = TicketForm(scope_user=world.users["cust_ab"])

    with translation.override("en"):
        html = str(form["place"])

    assert [(r["value"], r["label"], r["checked"]) for r in rows(html)] == [
        ("", "Not specified", " checked")
    ]
