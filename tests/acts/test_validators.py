"""The provider's requisites: ИНН, КПП, БИК and accounts keyed against the БИК."""

import pytest
from django.core.exceptions import ValidationError

from servicedesk.acts.models import OurCompany
from servicedesk.acts.validators import (
    account_with_key,
    correspondent_account_matches,
    is_valid_bik,
    settlement_account_matches,
)

# Real banks' БИК and correspondent accounts (published by the Bank of Russia)
SBERBANK = ("044525225", "30101810400000000225")
T_BANK = ("044525974", "30101810145250000974")
ALFA_BANK = ("044525593", "30101810200000000593")
SPB_BANK = ("044030827", "30101810200000000827")  # a bank in St Petersburg (region 40)

RS, KS = "settlement_account", "correspondent_account"
VALID = {
    "name": "Сервис-Про",
    "legal_name": "ООО «Сервис-Про»",
    "inn": "7720123457",
    "kpp": "772001001",
    "bik": "044525225",
    "settlement_account": "40702810938000012345",
    "correspondent_account": "30101810400000000225",
}


@pytest.mark.parametrize("bank", [SBERBANK, T_BANK, ALFA_BANK, SPB_BANK])
def test_real_correspondent_accounts_match_their_bik(bank):
    bik, account = bank
    assert is_valid_bik(bik)
    assert correspondent_account_matches(account, bik)


@pytest.mark.parametrize(
    ("account", "bik"),
    [
        ("30101810400000000225", "044525974"),  # Sberbank's account, T-Bank's БИК
        ("30101810500000000225", "044525225"),  # one digit off: the key fails
        ("30101810400000000226", "044525225"),  # does not end with the БИК's last digits
        ("40702810938000012345", "044525225"),  # a settlement account, not 301…
        ("3010181040000000022", "044525225"),  # 19 digits
    ],
)
def test_wrong_correspondent_accounts(account, bik):
    assert not correspondent_account_matches(account, bik)


def test_settlement_accounts_are_keyed_against_the_bank():
    # An account published with its БИК, and ours
    assert settlement_account_matches("40702810900000002851", "044030827")
    assert settlement_account_matches("40702810938000012345", "044525225")
    # A typo in any digit breaks the key
    for position in range(20):
        digits = list("40702810938000012345")
        digits[position] = str((int(digits[position]) + 1) % 10)
        assert not settlement_account_matches("".join(digits), "044525225"), position
    # The same account at another bank does not check out
    assert not settlement_account_matches("40702810938000012345", "044525974")


def test_accounts_at_the_bank_of_russia_use_its_division_number():
    # БИК ending in 000…049 is a division of the Bank of Russia: the key uses «0» + digits 5–6
    account = account_with_key("40702810000000001111", "025")
    assert settlement_account_matches(account, "044525000")
    assert not settlement_account_matches(account_with_key(account, "000"), "044525000")


def test_treasury_accounts_are_checked_for_format_only():
    assert settlement_account_matches("03100643000000017300", "004525988")
    assert not settlement_account_matches("0310064300000001730", "004525988")


@pytest.mark.parametrize("bik", ["44525225", "0445252250", "04452522a", "144525225", ""])
def test_invalid_bik(bik):
    assert not is_valid_bik(bik)


def _errors(**changes) -> dict[str, list[str]]:
    company = OurCompany(**{**VALID, **changes})
    try:
        company.full_clean()
    except ValidationError as error:
        return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}
    return {}


@pytest.mark.django_db
def test_valid_requisites_pass():
    assert _errors() == {}
    # An entrepreneur: 12-digit ИНН, no КПП
    assert _errors(inn="771234567859", kpp="") == {}
    # Nothing but a name is needed
    assert _errors(**{**dict.fromkeys(VALID, ""), "name": "Сервис"}) == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"inn": "7720123458"}, {"inn": ["invalid_inn"]}),  # check digit off by one
        ({"inn": "77201234"}, {"inn": ["invalid_inn"]}),
        ({"inn": "771234567850", "kpp": ""}, {"inn": ["invalid_inn"]}),
        ({"inn": "771234567859"}, {"kpp": ["kpp_for_individual"]}),
        ({"kpp": "77200100"}, {"kpp": ["invalid_kpp"]}),
        ({"bik": "44525225"}, {"bik": ["invalid_bik"]}),
        ({"bik": ""}, {"bik": ["bik"]}),
        ({"settlement_account": "4070281093800001234"}, {RS: ["invalid_account"]}),
        ({"settlement_account": "40702810938000012346"}, {RS: ["account_key"]}),
        ({"bik": "044525974"}, {RS: ["account_key"], KS: ["correspondent_account"]}),
        ({"correspondent_account": "30101810145250000974"}, {KS: ["correspondent_account"]}),
        ({"act_number_mask": "{year}"}, {"act_number_mask": ["invalid_mask"]}),
        ({"vat_rate": "120"}, {"vat_rate": ["max_value"]}),
        ({"vat_rate": "-1"}, {"vat_rate": ["min_value"]}),
        ({"vat_mode": "subtract"}, {"vat_mode": ["invalid_choice"]}),
    ],
)
def test_invalid_requisites_are_refused_field_by_field(changes, expected):
    assert _errors(**changes) == expected
