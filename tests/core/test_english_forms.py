"""Every form speaks the reader's language (issue 22): rendered in English, no form of the
project shows a Cyrillic letter in its HTML, its labels, help texts, placeholders, titles,
choices or error messages.

A translatable text formatted when its module is imported (`_("… %(max)s …") % {...}` in a
class body) is fixed in the language active then — Russian, the provider's default — and stays
Russian for everybody. This test finds that for every form class of the project: the forms are
discovered (every module under `servicedesk.` is imported first), so a new form is checked
without anyone remembering to add it. Forms that need constructor arguments are built by
FORM_BUILDERS below; a new form that cannot be built without arguments fails the test until it
gets a line there.

The data is Latin-only (the factories' names; the reference lists seeded by the migrations
have English names), so any Cyrillic letter comes from the code, not from the database.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django import forms
from django.http import QueryDict
from django.utils import translation

import servicedesk
from servicedesk.accounts.models import AccessRequest, Role
from servicedesk.tickets import listing
from tests.conftest import World
from tests.factories import ServiceCalendarFactory, TicketFactory

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
# The widget attributes a person reads (or hears, with a screen reader).
READ_ATTRS = ("placeholder", "title", "aria-label", "aria-description", "data-bs-content")


def _project_modules() -> Iterator[str]:
    for module in pkgutil.walk_packages(servicedesk.__path__, "servicedesk."):
        if ".migrations" not in module.name:
            yield module.name


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_form_classes() -> list[type[forms.BaseForm]]:
    """Every form class defined in the project, each module imported first. Imported with the
    provider's default language active, as a server process does: whatever a module fixes at
    import is fixed in Russian."""
    with translation.override("ru"):
        for name in _project_modules():
            importlib.import_module(name)
    found = {c for c in _subclasses(forms.BaseForm) if c.__module__.startswith("servicedesk.")}
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# --- Forms that need constructor arguments -------------------------------------------------------
# One line per form that cannot be built as `Form()`: a builder taking the scoping world and
# returning the forms to check (several when the form's fields differ with its arguments).

Builder = Callable[[World], list[forms.BaseForm]]


def _ticket_list_form(world: World) -> list[forms.BaseForm]:
    from servicedesk.backoffice.tickets.queue import QUEUE
    from servicedesk.portal.tickets.list import TICKETS

    choices = {
        "company": [(c.pk, c.name) for c in world.companies.values()],
        "assignee": [(world.users["engineer"].pk, world.users["engineer"].full_name)],
    }
    return [listing.TicketListForm(spec, QueryDict(), choices) for spec in (TICKETS, QUEUE)]


def _ticket_edit_form(world: World) -> list[forms.BaseForm]:
    from servicedesk.backoffice.tickets.detail import TicketEditForm

    ticket = TicketFactory(company=world.companies["A"], contact=world.users["cust_a"])
    return [TicketEditForm(ticket=ticket, user=world.users["dispatcher"])]


def _work_forms(world: World) -> list[forms.BaseForm]:
    """The completed work's form and its rows, with a material of the list (named in Russian
    and in English) among the choices."""
    from servicedesk.backoffice.works.forms import Choices, EngineerForm, MaterialForm, WorkForm
    from servicedesk.works.models import Material

    Material.objects.create(code="seal", name_ru="Уплотнение", name_en="Seal", price=5)
    choices = Choices.load()
    return [WorkForm(choices=choices), EngineerForm(choices=choices), MaterialForm(choices=choices)]


def _visitor_form(world: World) -> list[forms.BaseForm]:
    """The public web form with every field shown (servicedesk/web/webform.py)."""
    from servicedesk.customers.models import Criticality, TicketType
    from servicedesk.intake.models import WEBFORM_FIELDS, FieldMode, WebForm
    from servicedesk.web.webform import VisitorForm

    webform = WebForm(
        name="Site form",
        company=world.companies["A"],
        ticket_type=TicketType.objects.first(),
        criticality=Criticality.objects.first(),
        **{f"field_{name}": FieldMode.REQUIRED for name in WEBFORM_FIELDS},
    )
    return [VisitorForm(webform)]


def _access_request(world: World) -> AccessRequest:
    return AccessRequest(full_name="Jane Roe", company_name=world.companies["A"].name)


FORM_BUILDERS: dict[str, Builder] = {
    "servicedesk.accounts.admin.UserEditForm": lambda w: [
        _form("accounts.admin.UserEditForm", instance=w.users["cust_a"])
    ],
    "servicedesk.accounts.forms.ColleagueAccessForm": lambda w: [
        _form("accounts.forms.ColleagueAccessForm", user=w.users["cust_ab"])
    ],
    "servicedesk.accounts.forms.ProfileForm": lambda w: [
        _form("accounts.forms.ProfileForm", instance=w.users["cust_a"])
    ],
    "servicedesk.accounts.forms.TemporaryPasswordChangeForm": lambda w: [
        _form("accounts.forms.TemporaryPasswordChangeForm", w.users["cust_a"])
    ],
    "servicedesk.backoffice.access_requests.forms.ApproveForm": lambda w: [
        _form("backoffice.access_requests.forms.ApproveForm", access_request=_access_request(w))
    ],
    "servicedesk.backoffice.people.filters.PeopleFilterForm": lambda w: [
        _form("backoffice.people.filters.PeopleFilterForm", QueryDict(f"kind={kind}"))
        for kind in ("customers", "employees")
    ],
    "servicedesk.backoffice.people.forms.ConvertForm": lambda w: [
        _form("backoffice.people.forms.ConvertForm", person=w.users["cust_a"], needs_company=False),
        _form(
            "backoffice.people.forms.ConvertForm", person=w.users["engineer"], needs_company=True
        ),
    ],
    "servicedesk.backoffice.people.forms.PersonForm": lambda w: [
        _form(
            "backoffice.people.forms.PersonForm",
            role_choices=[(r.value, r.label) for r in Role],
        ),
        _form("backoffice.people.forms.PersonForm", person=w.users["cust_a"]),
        _form("backoffice.people.forms.PersonForm", person=w.users["engineer"], rate_editable=True),
    ],
    "servicedesk.backoffice.works.forms.WorkForm": lambda w: _work_forms(w)[:1],
    "servicedesk.backoffice.works.forms.EngineerForm": lambda w: _work_forms(w)[1:2],
    "servicedesk.backoffice.works.forms.MaterialForm": lambda w: _work_forms(w)[2:],
    "servicedesk.backoffice.sla.forms.HolidayForm": lambda w: [
        _form("backoffice.sla.forms.HolidayForm", calendar=ServiceCalendarFactory())
    ],
    "servicedesk.backoffice.sla.forms.HolidayImportForm": lambda w: [
        _form("backoffice.sla.forms.HolidayImportForm", calendar=ServiceCalendarFactory())
    ],
    "servicedesk.backoffice.tickets.detail.TicketEditForm": _ticket_edit_form,
    "servicedesk.backoffice.tickets.forms.OnBehalfForm": lambda w: [
        _form("backoffice.tickets.forms.OnBehalfForm", staff=w.users["dispatcher"]),
        _form(
            "backoffice.tickets.forms.OnBehalfForm",
            initial={"company": w.companies["A"].pk, "contact": w.users["cust_a"].pk},
            staff=w.users["dispatcher"],
        ),
    ],
    "servicedesk.notifications.forms.NotificationSettingsForm": lambda w: [
        _form("notifications.forms.NotificationSettingsForm", user=w.users[key])
        for key in ("cust_a", "dispatcher")
    ],
    "servicedesk.tickets.listing.TicketListForm": _ticket_list_form,
    "servicedesk.web.batch_acts.BatchActForm": lambda w: [
        # Unbound, and bound to a company (its sites and equipment are offered).
        _form("web.batch_acts.BatchActForm", None, user=w.users["dispatcher"]),
        _form(
            "web.batch_acts.BatchActForm",
            {"company": w.companies["A"].pk},
            user=w.users["cust_a"],
        ),
    ],
    "servicedesk.web.webform.VisitorForm": _visitor_form,
    "servicedesk.web.ticket_form.ticket.TicketForm": lambda w: [
        # One company (preselected: the places and contracts are listed) and two (none yet).
        _form("web.ticket_form.ticket.TicketForm", scope_user=w.users[key])
        for key in ("cust_a", "cust_ab")
    ],
}


def _form(path: str, *args: Any, **kwargs: Any) -> forms.BaseForm:
    module, _dot, name = f"servicedesk.{path}".rpartition(".")
    form: forms.BaseForm = getattr(importlib.import_module(module), name)(*args, **kwargs)
    return form


def build(cls: type[forms.BaseForm], world: World) -> list[forms.BaseForm]:
    builder = FORM_BUILDERS.get(_name(cls))
    if builder is not None:
        return builder(world)
    try:
        return [cls()]
    except TypeError as error:
        pytest.fail(
            f"{_name(cls)} cannot be built without arguments ({error}): add a builder for it "
            "to FORM_BUILDERS in tests/core/test_english_forms.py, so that it is checked too."
        )


# --- What a person reads -------------------------------------------------------------------------


def _choice_labels(choices: Any) -> Iterator[Any]:
    for _value, label in choices:
        if isinstance(label, list | tuple):  # an option group
            yield from _choice_labels(label)
        else:
            yield label


def texts(form: forms.BaseForm) -> Iterator[tuple[str, str]]:
    """(where, text) for everything of the form a person may read."""
    yield "the rendered form", str(form)
    for name, field in form.fields.items():
        yield f"{name}: label", str(field.label or "")
        yield f"{name}: help text", str(field.help_text or "")
        for attr in READ_ATTRS:
            yield f"{name}: widget {attr}", str(field.widget.attrs.get(attr, ""))
        for code, message in field.error_messages.items():
            yield f"{name}: error message {code!r}", str(message)
        if hasattr(field, "empty_label"):
            yield f"{name}: empty label", str(field.empty_label or "")
        for source in (getattr(field, "choices", None), getattr(field.widget, "choices", None)):
            for label in _choice_labels(source or ()):
                yield f"{name}: choice", str(label)


def cyrillic_in(text: str) -> list[str]:
    """Each Cyrillic passage of `text`, with a little of what surrounds it."""
    return [
        repr(text[max(0, found.start() - 40) : found.end() + 40])
        for found in re.finditer(r"[А-Яа-яЁё]+(?:[^<>\n]*[А-Яа-яЁё])?", text)
    ]


def cyrillic_texts(form: forms.BaseForm) -> list[str]:
    return [f"{where}: {passage}" for where, text in texts(form) for passage in cyrillic_in(text)]


# --- The tests -----------------------------------------------------------------------------------


def test_every_form_class_is_found_and_the_builders_name_existing_forms() -> None:
    names = {_name(c) for c in project_form_classes()}
    # A few that must be among them: the discovery itself works.
    assert {
        "servicedesk.web.ticket_form.ticket.TicketForm",
        "servicedesk.backoffice.tickets.forms.OnBehalfForm",
        "servicedesk.backoffice.sla.forms.SlaRuleForm",
    } <= names
    assert set(FORM_BUILDERS) <= names, "FORM_BUILDERS names forms that no longer exist"


@pytest.mark.parametrize("form_class", project_form_classes(), ids=_name)
def test_form_in_english_has_no_cyrillic(world: World, form_class: type[forms.BaseForm]) -> None:
    with translation.override("en"):
        built = build(form_class, world)
        assert built
        found = [text for form in built for text in cyrillic_texts(form)]
    assert found == [], f"{_name(form_class)} in English shows Cyrillic:\n" + "\n".join(found)


def test_a_person_reading_english_gets_english_after_a_russian_one(world: World) -> None:
    """The same form class, built for a Russian reader and then an English one (one server
    process serves both): the second is wholly English."""
    from servicedesk.web.ticket_form.ticket import TicketForm

    with translation.override("ru"):
        russian = str(TicketForm(scope_user=world.users["cust_a"]))
    with translation.override("en"):
        form = TicketForm(scope_user=world.users["cust_a"])
        english = cyrillic_texts(form)
    assert CYRILLIC.search(russian)
    assert english == []
