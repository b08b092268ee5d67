"""factory_boy factories for the foundation's models.

Sites are saved through `customers.services.site_save` (never `Site.objects.create`), so their
materialised paths are set exactly as in production.
"""

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from servicedesk.accounts.models import Membership, Role, User
from servicedesk.customers.models import Company, Contract, Criticality, Equipment, Site
from servicedesk.customers.services import site_save

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Test User {n}")
    role = Role.CUSTOMER
    password = factory.django.Password(PASSWORD)

    class Params:
        admin = factory.Trait(role=Role.ADMIN)
        dispatcher = factory.Trait(role=Role.DISPATCHER)
        engineer = factory.Trait(role=Role.ENGINEER)
        inactive = factory.Trait(is_active=False)


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    code = factory.Sequence(lambda n: f"company-{n}")


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    parent = None
    company = factory.Maybe(
        "parent",
        yes_declaration=factory.SelfAttribute("parent.company"),
        no_declaration=factory.SubFactory(CompanyFactory),
    )
    name = factory.Sequence(lambda n: f"Site {n}")

    @classmethod
    def _create(cls, model_class: type[Site], *args: Any, **kwargs: Any) -> Site:
        return site_save(model_class(*args, **kwargs))


class EquipmentFactory(DjangoModelFactory):
    class Meta:
        model = Equipment

    site = None
    company = factory.Maybe(
        "site",
        yes_declaration=factory.SelfAttribute("site.company"),
        no_declaration=factory.SubFactory(CompanyFactory),
    )
    name = factory.Sequence(lambda n: f"Equipment {n}")
    serial_number = factory.Sequence(lambda n: f"SN-{n:05d}")


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = Contract
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: f"C-{n:04d}")
    name = factory.Sequence(lambda n: f"Contract {n}")
    valid_from = dt.date(2026, 1, 1)

    @factory.post_generation
    def sites(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.sites.set(extracted)

    @factory.post_generation
    def equipment(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.equipment.set(extracted)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    scope = Membership.Scope.COMPANY

    class Params:
        listed = factory.Trait(scope=Membership.Scope.LISTED)

    @factory.post_generation
    def sites(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.sites.set(extracted)

    @factory.post_generation
    def equipment(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.equipment.set(extracted)


class CriticalityFactory(DjangoModelFactory):
    class Meta:
        model = Criticality

    code = factory.Sequence(lambda n: f"criticality-{n}")
    name_ru = factory.Sequence(lambda n: f"Критичность {n}")
    name_en = factory.Sequence(lambda n: f"Criticality {n}")


def _reference(model_name: str, code: str) -> Any:
    from django.apps import apps

    model = apps.get_model("customers", model_name)
    return model.objects.get_or_create(code=code, defaults={"name_ru": code, "name_en": code})[0]


class TicketFactory(DjangoModelFactory):
    """A ticket saved directly (no service, no event): for scoping, lists and search tests.
    Tests of creation rules go through `tickets.services.ticket_create` instead."""

    class Meta:
        model = "tickets.Ticket"

    number = factory.Sequence(lambda n: f"9{n:07d}")
    subject = factory.Sequence(lambda n: f"Ticket {n}")
    description = ""
    ticket_type = factory.LazyFunction(lambda: _reference("TicketType", "test-type"))
    criticality = factory.LazyFunction(lambda: _reference("Criticality", "test-criticality"))
    company = factory.Maybe(
        "equipment",
        yes_declaration=factory.SelfAttribute("equipment.company"),
        no_declaration=factory.Maybe(
            "site",
            yes_declaration=factory.SelfAttribute("site.company"),
            no_declaration=factory.SubFactory(CompanyFactory),
        ),
    )
    site = None
    equipment = None
    contact = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("contact")
    origin = "portal"


# --- SLA (servicedesk.sla) ---------------------------------------------------------------------


class ServiceCalendarFactory(DjangoModelFactory):
    """A calendar; `hours={weekday: [(start, end), ...]}` and `holidays=[date, ...]` add rows."""

    class Meta:
        model = "sla.ServiceCalendar"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Calendar {n}")
    time_zone = "Europe/Moscow"

    @factory.post_generation
    def hours(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        from servicedesk.sla.models import WorkingHours

        if create and extracted:
            WorkingHours.objects.bulk_create(
                WorkingHours(calendar=self, weekday=day, start=start, end=end)
                for day, intervals in extracted.items()
                for start, end in intervals
            )

    @factory.post_generation
    def holidays(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        from servicedesk.sla.models import Holiday

        if create and extracted:
            Holiday.objects.bulk_create(
                Holiday(calendar=self, date=day, name=f"Holiday {day}") for day in extracted
            )


def office_calendar(**kwargs: Any) -> Any:
    """Weekdays 09:00–18:00, Moscow time."""
    hours = {day: [(dt.time(9), dt.time(18))] for day in range(5)}
    return ServiceCalendarFactory(hours=hours, **kwargs)


def _m2m(field: str) -> Any:
    def setter(self: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            getattr(self, field).set(extracted)

    setter.__name__ = field
    return factory.PostGeneration(setter)


class SlaRuleFactory(DjangoModelFactory):
    """An SLA rule; the lists (ticket_types=[...], sites=[...], ...) are set after creation."""

    class Meta:
        model = "sla.SlaRule"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Rule {n}")
    first_response_minutes = 60
    resolution_minutes = 480
    calendar = None
    ticket_types = _m2m("ticket_types")
    criticalities = _m2m("criticalities")
    work_types = _m2m("work_types")
    companies = _m2m("companies")
    sites = _m2m("sites")
    equipment = _m2m("equipment")
    contracts = _m2m("contracts")
