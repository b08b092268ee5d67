"""Company, Contract and reference-list rules, at the validation and the database level."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from servicedesk.customers.models import Company, Contract, Criticality, Equipment, TicketType
from tests.factories import (
    CompanyFactory,
    ContractFactory,
    CriticalityFactory,
    EquipmentFactory,
    SiteFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def company(**fields):
    return Company(name="Acme", code="acme", **fields)


def errors_of(instance):
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return {field: [e.code for e in errs] for field, errs in excinfo.value.error_dict.items()}


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        ({"tax_id": "7707083893", "kpp": "773601001"}, ("7707083893", "773601001")),
        ({"tax_id": " 7707083893 ", "kpp": "7736ab001"}, ("7707083893", "7736AB001")),
        ({"tax_id": "500100732259"}, ("500100732259", "")),
        ({}, ("", "")),
        ({"country": "DE", "tax_id": "DE811569869"}, ("DE811569869", "")),
    ],
)
def test_valid_company_registration_is_accepted_and_normalised(fields, stored):
    c = company(**fields)
    c.full_clean()
    c.save()
    c.refresh_from_db()
    assert (c.tax_id, c.kpp) == stored


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"tax_id": "7707083894"}, {"tax_id": ["invalid_inn"]}),
        ({"tax_id": "77070838"}, {"tax_id": ["invalid_inn"]}),
        ({"tax_id": "7707083893", "kpp": "77360100"}, {"kpp": ["invalid_kpp"]}),
        ({"tax_id": "500100732259", "kpp": "773601001"}, {"kpp": ["kpp_for_individual"]}),
        ({"country": "DE", "kpp": "773601001"}, {"kpp": ["kpp_not_russian"]}),
        (
            {"tax_id": "1234567890", "kpp": "bad"},
            {"tax_id": ["invalid_inn"], "kpp": ["invalid_kpp"]},
        ),
    ],
)
def test_invalid_company_registration_is_refused(fields, expected):
    assert errors_of(company(**fields)) == expected
    assert Company.objects.count() == 0


def test_company_code_is_unique():
    CompanyFactory(code="acme")
    assert errors_of(company()) == {"code": ["unique"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        company().save()
    assert Company.objects.filter(code="acme").count() == 1


def test_equipment_site_must_belong_to_its_company():
    site = SiteFactory()
    other = CompanyFactory()
    equipment = Equipment(company=other, site=site, name="pump")
    with pytest.raises(ValidationError) as excinfo:
        equipment.full_clean()
    assert excinfo.value.message_dict == {"site": ["The site belongs to another company."]}
    assert Equipment.objects.count() == 0


def test_equipment_passport_tokens_are_unique_and_unguessable():
    tokens = {EquipmentFactory().passport_token for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(t) >= 43 for t in tokens)


def test_warranty():
    equipment = EquipmentFactory(warranty_until=dt.date(2026, 3, 31))
    assert equipment.is_under_warranty(dt.date(2026, 3, 31)) is True
    assert equipment.is_under_warranty(dt.date(2026, 4, 1)) is False
    assert EquipmentFactory().is_under_warranty(dt.date(2000, 1, 1)) is False


# --- Contract -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [(dt.date(2026, 1, 1), dt.date(2026, 1, 1)), (dt.date(2026, 1, 1), None)],
)
def test_contract_period_may_be_one_day_or_open_ended(valid_from, valid_to):
    c = Contract(
        company=CompanyFactory(), number="1", name="x", valid_from=valid_from, valid_to=valid_to
    )
    c.full_clean()
    c.save()
    assert Contract.objects.count() == 1


def test_contract_cannot_end_before_it_starts():
    # Given a contract ending the day before it starts
    c = Contract(
        company=CompanyFactory(),
        number="1",
        name="x",
        valid_from=dt.date(2026, 1, 2),
        valid_to=dt.date(2026, 1, 1),
    )

    # Then validation refuses it with the constraint's message
    with pytest.raises(ValidationError) as excinfo:
        c.full_clean()
    assert excinfo.value.messages == ["The contract cannot end before it starts."]

    # And the database refuses it too; nothing is saved
    with pytest.raises(IntegrityError), transaction.atomic():
        c.save()
    assert Contract.objects.count() == 0


def test_contract_number_is_unique_per_company():
    first = ContractFactory(number="N-1")
    ContractFactory(number="N-1")  # another company may reuse it
    duplicate = Contract(
        company=first.company, number="N-1", name="x", valid_from=dt.date(2026, 1, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert excinfo.value.messages == ["This company already has a contract with this number."]
    assert Contract.objects.filter(number="N-1").count() == 2


@pytest.mark.parametrize(
    ("day", "valid"),
    [
        (dt.date(2025, 12, 31), False),
        (dt.date(2026, 1, 1), True),
        (dt.date(2026, 6, 30), True),
        (dt.date(2026, 7, 1), False),
    ],
)
def test_contract_validity_on_a_day(day, valid):
    c = ContractFactory(valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 6, 30))
    assert c.is_valid_on(day) is valid
    assert list(Contract.objects.valid_on(day)) == ([c] if valid else [])


# --- Reference lists ----------------------------------------------------------------------------


def test_reference_data_is_seeded_by_the_migration():
    assert list(Criticality.objects.values_list("code", "is_default")) == [
        ("urgent", False),
        ("normal", True),
    ]
    assert list(TicketType.objects.values_list("code", flat=True)) == [
        "repair",
        "warranty",
        "task",
        "maintenance",
    ]


def test_only_one_criticality_can_be_the_default():
    # Given exactly one default criticality
    Criticality.objects.update(is_default=False)
    CriticalityFactory(is_default=True)

    # When a second default is validated, then saved
    second = CriticalityFactory.build(is_default=True)
    with pytest.raises(ValidationError) as excinfo:
        second.full_clean()
    assert excinfo.value.messages == ["Only one criticality can be the default."]
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()

    # Then there is still exactly one default, and non-defaults are unlimited
    CriticalityFactory(is_default=False)
    CriticalityFactory(is_default=False)
    assert Criticality.objects.filter(is_default=True).count() == 1


@pytest.mark.parametrize(
    ("color", "valid"),
    [
        ("#dc3545", True),
        ("#DC3545", True),
        ("dc3545", False),
        ("#dc354", False),
        ("#dc35451", False),
        ("#gggggg", False),
        ("red", False),
    ],
)
def test_criticality_colour_is_a_hex_rgb(color, valid):
    item = CriticalityFactory.build(color=color)
    if valid:
        item.full_clean()
    else:
        with pytest.raises(ValidationError) as excinfo:
            item.full_clean()
        assert list(excinfo.value.message_dict) == ["color"]
        assert "The colour must look like #RRGGBB." in excinfo.value.message_dict["color"]


@pytest.mark.parametrize(
    ("name_ru", "name_en", "language", "expected"),
    [
        ("Ремонт", "Repair", "ru", "Ремонт"),
        ("Ремонт", "Repair", "en", "Repair"),
        ("Ремонт", "Repair", "en-us", "Repair"),
        ("Ремонт", "", "en", "Ремонт"),
        ("", "Repair", "ru", "Repair"),
    ],
)
def test_reference_item_name_follows_the_language_with_fallback(
    name_ru, name_en, language, expected
):
    item = TicketType(code="x", name_ru=name_ru, name_en=name_en)
    with translation.override(language):
        assert item.name == expected
        assert str(item) == expected
